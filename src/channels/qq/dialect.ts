import type { Dialect } from '../shared/markdown.ts'
import { renderMarkdown } from '../shared/markdown.ts'

/**
 * QQ bots send plain text (msg_type 0; Markdown needs a separately granted permission), and a
 * message containing a URL that is not registered in the QQ console is refused. So markup is
 * dropped, code blocks keep their fences (readable as text), and links are defanged: the scheme
 * goes and dots become "[.]", which QQ does not treat as a link.
 */
export function defangUrls(s: string): string {
  // The last character is not sentence punctuation: "see https://a.cn." keeps its full stop.
  return s.replace(/\bhttps?:\/\/([^\s)<>]*[^\s)<>.,;:!?])/gi, (_m, rest: string) =>
    rest.replace(/\./g, '[.]'),
  )
}

const qq: Dialect = {
  text: defangUrls,
  code: (s) => defangUrls(s),
  bold: (inner) => inner,
  italic: (inner) => inner,
  strike: (inner) => inner,
  link: (label, url) => (label === url ? defangUrls(url) : `${label} (${defangUrls(url)})`),
  codeBlock: (body, lang) => `\`\`\`${lang}\n${defangUrls(body)}\n\`\`\``,
  heading: (inner) => inner,
  quote: (lines) => lines.map((l) => `> ${l}`).join('\n'),
  listItem: (inner, marker, indent) => `${indent}${/\d/.test(marker) ? marker : '•'} ${inner}`,
}

export function markdownToQq(md: string): string {
  return renderMarkdown(md, qq)
}
