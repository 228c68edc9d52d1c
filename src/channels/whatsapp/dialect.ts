import type { Dialect } from '../shared/markdown.ts'
import { renderMarkdown } from '../shared/markdown.ts'

/**
 * WhatsApp's own light markup: `*bold*`, `_italic_`, `~strike~`, ``` fences, `> ` quotes and
 * lists. There are no headings or link labels, so headings become bold lines and links
 * "label (url)". Nothing needs escaping.
 */
const whatsapp: Dialect = {
  text: (s) => s,
  code: (s) => `\`${s.replace(/`/g, "'")}\``,
  bold: (inner) => `*${inner}*`,
  italic: (inner) => `_${inner}_`,
  strike: (inner) => `~${inner}~`,
  link: (label, url) => (label === url ? url : `${label} (${url})`),
  // WhatsApp shows a fence's language tag as text, so it is dropped.
  codeBlock: (body) => `\`\`\`\n${body}\n\`\`\``,
  heading: (inner) => `*${inner}*`,
  quote: (lines) => lines.map((l) => `> ${l}`).join('\n'),
  listItem: (inner, marker, indent) => `${indent}${/\d/.test(marker) ? marker : '•'} ${inner}`,
}

export function markdownToWhatsApp(md: string): string {
  return renderMarkdown(md, whatsapp)
}
