import type { Dialect } from '../shared/markdown.ts'
import { renderMarkdown } from '../shared/markdown.ts'

/**
 * Telegram HTML parse mode. Chosen over MarkdownV2: HTML needs only `<`, `>`, `&` escaped (and `"`
 * in attributes), where MarkdownV2 reserves 18 characters that agent text is full of.
 */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

const attr = (s: string) => escapeHtml(s).replace(/"/g, '&quot;')

const telegramHtml: Dialect = {
  text: escapeHtml,
  code: (s) => `<code>${escapeHtml(s)}</code>`,
  bold: (inner) => `<b>${inner}</b>`,
  italic: (inner) => `<i>${inner}</i>`,
  strike: (inner) => `<s>${inner}</s>`,
  link: (label, url) =>
    /^(https?|tg|mailto):/i.test(url) ? `<a href="${attr(url)}">${escapeHtml(label)}</a>` : escapeHtml(label),
  codeBlock: (body, lang) =>
    lang && /^[\w#+-]+$/.test(lang)
      ? `<pre><code class="language-${lang}">${escapeHtml(body)}</code></pre>`
      : `<pre>${escapeHtml(body)}</pre>`,
  heading: (inner) => `<b>${inner}</b>`,
  quote: (lines) => `<blockquote>${lines.join('\n')}</blockquote>`,
  listItem: (inner, marker, indent) => `${indent}${/\d/.test(marker) ? marker : '•'} ${inner}`,
}

export function markdownToTelegramHtml(md: string): string {
  return renderMarkdown(md, telegramHtml)
}

/** The text a user would see; sent instead when Telegram rejects our HTML ("can't parse entities"). */
export function telegramHtmlToPlain(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
}
