import type { Dialect } from '../shared/markdown.ts'
import { renderMarkdown } from '../shared/markdown.ts'

/**
 * Discord renders most Markdown itself; what it lacks is tables (→ code block) and headings below
 * `###` (→ bold). Plain text passes through unchanged: escaping would show backslashes to users.
 */
const discordMarkdown: Dialect = {
  text: (s) => s,
  code: (s) => (s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``),
  bold: (inner) => `**${inner}**`,
  italic: (inner) => `*${inner}*`,
  strike: (inner) => `~~${inner}~~`,
  link: (label, url) => (label === url ? `<${url}>` : `[${label}](<${url}>)`),
  codeBlock: (body, lang) => `\`\`\`${lang}\n${body.replace(/```/g, '`\u200b``')}\n\`\`\``,
  heading: (inner, level) => (level <= 3 ? `${'#'.repeat(level)} ${inner}` : `**${inner}**`),
  quote: (lines) => lines.map((l) => `> ${l}`).join('\n'),
  listItem: (inner, marker, indent) => `${indent}${marker} ${inner}`,
}

export function markdownToDiscord(md: string): string {
  return renderMarkdown(md, discordMarkdown)
}
