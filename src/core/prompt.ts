import type { StoredMessage } from './types.ts'

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/**
 * The agent's view of new chat messages. One line per message so a multi-line message keeps its own
 * layout; everything user-controlled is escaped, so a message cannot close the tag and forge another.
 */
export function formatPrompt(messages: Pick<StoredMessage, 'senderName' | 'ts' | 'text'>[]): string {
  const lines = messages.map(
    (m) =>
      `<message sender="${escapeXml(m.senderName)}" time="${new Date(m.ts).toISOString()}">${escapeXml(m.text)}</message>`,
  )
  return `<messages>\n${lines.join('\n')}\n</messages>`
}

/** The agent's private notes (`<internal>…</internal>`) never reach a chat. */
export function stripInternal(text: string): string {
  return text.replace(/<internal>[\s\S]*?<\/internal>/g, '').trim()
}
