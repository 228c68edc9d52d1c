import type { Dialect } from '../shared/markdown.ts'
import { renderMarkdown } from '../shared/markdown.ts'

/** Slack mrkdwn: only `&`, `<`, `>` are control characters; `*bold*`, `_italic_`, `~strike~`, `<url|label>`. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

const mrkdwn: Dialect = {
  text: escapeMrkdwn,
  code: (s) => `\`${escapeMrkdwn(s.replace(/`/g, "'"))}\``,
  bold: (inner) => `*${inner}*`,
  italic: (inner) => `_${inner}_`,
  strike: (inner) => `~${inner}~`,
  link: (label, url) =>
    label === url
      ? `<${escapeMrkdwn(url)}>`
      : `<${escapeMrkdwn(url).replace(/\|/g, '%7C')}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`,
  // Slack shows a fence's language tag as text, so it is dropped. A ``` inside the body would end
  // the block early (a ~~~ fence may hold one), so a zero-width space breaks it up, as on Discord.
  codeBlock: (body) => `\`\`\`\n${escapeMrkdwn(body).replace(/```/g, '`\u200b``')}\n\`\`\``,
  heading: (inner) => `*${inner}*`,
  quote: (lines) => lines.map((l) => `> ${l}`).join('\n'),
  listItem: (inner, marker, indent) => `${indent}${/\d/.test(marker) ? marker : '•'} ${inner}`,
}

export function markdownToMrkdwn(md: string): string {
  return renderMarkdown(md, mrkdwn)
}
