import type { Dialect } from '../shared/markdown.ts'
import { renderMarkdown } from '../shared/markdown.ts'

/**
 * DingTalk's Markdown subset: headings, bold, italic, links, lists and quotes render; strike does
 * not (kept as plain text) and tables do not (the walker puts them in a code block, which DingTalk
 * clients show as preformatted text).
 */
const dingtalk: Dialect = {
  text: (s) => s,
  code: (s) => `\`${s.replace(/`/g, "'")}\``,
  bold: (inner) => `**${inner}**`,
  italic: (inner) => `*${inner}*`,
  strike: (inner) => inner,
  link: (label, url) => (label === url ? url : `[${label}](${url})`),
  codeBlock: (body, lang) => `\`\`\`${lang}\n${body}\n\`\`\``,
  heading: (inner, level) => `${'#'.repeat(Math.min(level, 6))} ${inner}`,
  quote: (lines) => lines.map((l) => `> ${l}`).join('\n'),
  listItem: (inner, marker, indent) => `${indent}${marker} ${inner}`,
}

export function markdownToDingTalk(md: string): string {
  return renderMarkdown(md, dingtalk)
}
