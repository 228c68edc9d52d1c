/**
 * One small Markdown walker shared by every platform dialect: it finds fenced code, tables,
 * headings, quotes, lists and inline spans, and asks a dialect how to write each. Agent output is
 * ordinary CommonMark-ish text, so a full parser would buy little and cost a dependency.
 */

export interface Dialect {
  /** Plain text outside any markup (escape what the platform would interpret). */
  text(s: string): string
  code(s: string): string
  bold(inner: string): string
  italic(inner: string): string
  strike(inner: string): string
  link(label: string, url: string): string
  codeBlock(body: string, lang: string): string
  heading(inner: string, level: number): string
  /** Receives the already-rendered lines of one quote block. */
  quote(lines: string[]): string
  listItem(inner: string, marker: string, indent: string): string
}

export type Block = { kind: 'code'; lang: string; body: string } | { kind: 'text'; body: string }

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/

/** Splits Markdown into fenced code blocks and the text between them. An unclosed fence runs to the end. */
export function splitFences(md: string): Block[] {
  const blocks: Block[] = []
  const lines = md.split('\n')
  let text: string[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i] ?? ''
    const open = FENCE.exec(line)
    if (!open) {
      text.push(line)
      i++
      continue
    }
    const fence = open[1] ?? '```'
    const body: string[] = []
    i++
    while (i < lines.length) {
      const l = lines[i] ?? ''
      const trimmed = l.trim()
      if (
        trimmed.startsWith(fence[0] ?? '`') &&
        /^(`{3,}|~{3,})$/.test(trimmed) &&
        trimmed.length >= fence.length
      )
        break
      body.push(l)
      i++
    }
    i++ // the closing fence (or past the end)
    if (text.length) blocks.push({ kind: 'text', body: text.join('\n') })
    text = []
    blocks.push({ kind: 'code', lang: open[2] ?? '', body: body.join('\n') })
  }
  if (text.length) blocks.push({ kind: 'text', body: text.join('\n') })
  return blocks
}

const INLINE =
  /(`+)([\s\S]*?[^`])\1(?!`)|\[([^\]\n]+)\]\(([^)\s]+)(?:\s+"[^"\n]*")?\)|\*\*(?=\S)([\s\S]*?\S)\*\*|__(?=\S)([\s\S]*?\S)__|~~(?=\S)([\s\S]*?\S)~~|\*(?=[^\s*])([^*\n]*?[^\s*])\*|(?<![\p{L}\p{N}_])_(?=[^\s_])([^_\n]*?[^\s_])_(?![\p{L}\p{N}_])|<(https?:\/\/[^>\s]+)>/gu

export function renderInline(s: string, d: Dialect): string {
  let out = ''
  let last = 0
  for (const m of s.matchAll(INLINE)) {
    const at = m.index ?? 0
    out += d.text(s.slice(last, at))
    last = at + m[0].length
    if (m[2] !== undefined) out += d.code(m[2].trim() === '' ? m[2] : m[2].replace(/^ (.*) $/s, '$1'))
    else if (m[3] !== undefined && m[4] !== undefined) out += d.link(m[3], m[4])
    else if (m[5] !== undefined) out += d.bold(renderInline(m[5], d))
    else if (m[6] !== undefined) out += d.bold(renderInline(m[6], d))
    else if (m[7] !== undefined) out += d.strike(renderInline(m[7], d))
    else if (m[8] !== undefined) out += d.italic(renderInline(m[8], d))
    else if (m[9] !== undefined) out += d.italic(renderInline(m[9], d))
    else if (m[10] !== undefined) out += d.link(m[10], m[10])
  }
  return out + d.text(s.slice(last))
}

const TABLE_ROW = /^\s*\|.*\|\s*$/
const TABLE_SEP = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/

function renderTextBlock(body: string, d: Dialect): string {
  const lines = body.split('\n')
  const out: string[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i] ?? ''
    // Tables: no chat platform renders them, so they keep their alignment inside a code block.
    if (TABLE_ROW.test(line) && TABLE_SEP.test(lines[i + 1] ?? '')) {
      const rows: string[] = []
      while (i < lines.length && TABLE_ROW.test(lines[i] ?? '')) rows.push((lines[i++] ?? '').trim())
      out.push(d.codeBlock(rows.join('\n'), ''))
      continue
    }
    const quote = /^ {0,3}> ?(.*)$/.exec(line)
    if (quote) {
      const rendered: string[] = []
      while (i < lines.length) {
        const q = /^ {0,3}> ?(.*)$/.exec(lines[i] ?? '')
        if (!q) break
        rendered.push(renderInline(q[1] ?? '', d))
        i++
      }
      out.push(d.quote(rendered))
      continue
    }
    const heading = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line)
    const item = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/.exec(line)
    if (heading) out.push(d.heading(renderInline(heading[2] ?? '', d), (heading[1] ?? '#').length))
    else if (item) out.push(d.listItem(renderInline(item[3] ?? '', d), item[2] ?? '-', item[1] ?? ''))
    else out.push(renderInline(line, d))
    i++
  }
  return out.join('\n')
}

export function renderMarkdown(md: string, d: Dialect): string {
  return splitFences(md)
    .map((b) => (b.kind === 'code' ? d.codeBlock(b.body, b.lang) : renderTextBlock(b.body, d)))
    .join('\n')
}
