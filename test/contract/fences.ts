import { utf8Length } from '../../src/util/utf8.ts'

/** Code-fence helpers for the contract's chunking checks on Markdown-like dialects (Discord, Slack). */

const FENCE = /^\s{0,3}(`{3,}|~{3,})/

export function fencedCodeLines(text: string, unescapeHtml: (s: string) => string = (s) => s): string[] {
  const out: string[] = []
  let inside = false
  for (const line of text.split('\n')) {
    if (FENCE.test(line)) inside = !inside
    else if (inside) out.push(unescapeHtml(line))
  }
  return out
}

export function fencesBalanced(text: string): boolean {
  return text.split('\n').filter((l) => FENCE.test(l)).length % 2 === 0
}

/** How the contract reads a Markdown dialect whose message limit counts UTF-8 bytes (Feishu, WeCom). */
export const UTF8_MARKDOWN = {
  codeLines: (text: string) => fencedCodeLines(text),
  fencesBalanced,
  visibleLength: utf8Length,
}

/** How the contract reads a Markdown dialect whose message limit counts characters (Discord, DingTalk, QQ, WhatsApp). */
export const PLAIN_MARKDOWN = {
  codeLines: (text: string) => fencedCodeLines(text),
  fencesBalanced,
  visibleLength: (text: string) => text.length,
}
