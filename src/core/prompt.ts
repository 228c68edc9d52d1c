import type { MessageAttachment, StoredMessage } from './types.ts'

/** Where the group workspace is mounted in the agent's container. */
export const CONTAINER_WORKSPACE = '/workspace/group'

/** One file as the agent reads it in the prompt: its path to open with its tools, and what it is. */
function attachmentTag(a: MessageAttachment): string {
  const attrs = `kind="${a.kind}" name="${escapeXml(a.name)}" type="${escapeXml(a.mimeType)}" size="${a.size}" path="${CONTAINER_WORKSPACE}/${escapeXml(a.path)}"`
  return a.transcript === undefined
    ? `<attachment ${attrs}/>`
    : `<attachment ${attrs}><transcript>${escapeXml(a.transcript)}</transcript></attachment>`
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/**
 * The agent's view of new chat messages. One line per message so a multi-line message keeps its own
 * layout; everything user-controlled is escaped, so a message cannot close the tag and forge another.
 */
export function formatPrompt(
  messages: Pick<StoredMessage, 'senderName' | 'ts' | 'text' | 'attachments'>[],
): string {
  const lines = messages.map(
    (m) =>
      `<message sender="${escapeXml(m.senderName)}" time="${new Date(m.ts).toISOString()}">${escapeXml(m.text)}${(m.attachments ?? []).map(attachmentTag).join('')}</message>`,
  )
  return `<messages>\n${lines.join('\n')}\n</messages>`
}

/** The agent's private notes (`<internal>…</internal>`) never reach a chat. */
export function stripInternal(text: string): string {
  return text.replace(/<internal>[\s\S]*?<\/internal>/g, '').trim()
}
