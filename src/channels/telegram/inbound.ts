import type { Message, Update } from 'grammy/types'
import type { InboundAttachment, InboundMessage } from '../../core/channel/channel.ts'
import { normalizeTelegramMentions } from '../shared/mentions.ts'

export interface TelegramBotIdentity {
  id: number
  username: string
}

/** The chat JID: `telegram:<chat_id>`, plus `#<message_thread_id>` inside a forum topic. */
export function telegramJid(chatId: number | string, topicId?: number): string {
  return `telegram:${chatId}${topicId === undefined ? '' : `#${topicId}`}`
}

function senderName(m: Message): string {
  const from = m.from
  if (!from) return m.sender_chat?.title ?? 'unknown'
  return [from.first_name, from.last_name].filter(Boolean).join(' ') || from.username || String(from.id)
}

/** Starts the download of a Telegram file by its file_id (getFile, then the file endpoint). */
export type TelegramFileOpener = (fileId: string) => Promise<Response>

/** The files of a message: the largest photo size, documents, voice notes, audio and video. */
export function telegramAttachments(m: Message, open: TelegramFileOpener): InboundAttachment[] {
  const out: InboundAttachment[] = []
  const add = (
    kind: InboundAttachment['kind'],
    f: { file_id: string; file_size?: number; file_name?: string; mime_type?: string },
  ) =>
    out.push({
      kind,
      name: f.file_name,
      size: f.file_size,
      mimeType: f.mime_type,
      open: () => open(f.file_id),
    })
  const photo = m.photo?.at(-1)
  if (photo) add('image', { ...photo, file_name: 'photo.jpg' })
  if (m.document) add(m.document.mime_type?.startsWith('image/') ? 'image' : 'document', m.document)
  if (m.voice) add('voice', { ...m.voice, file_name: 'voice.ogg' })
  if (m.audio) add('audio', m.audio)
  if (m.video) add('video', m.video)
  return out
}

/** Maps one update to the pipeline's message; undefined for updates the bot does not answer. */
export function toInboundMessage(
  update: Update,
  bot: TelegramBotIdentity,
  assistantName: string,
  openFile?: TelegramFileOpener,
): InboundMessage | undefined {
  const m = update.message
  if (!m) return undefined
  const attachments = openFile ? telegramAttachments(m, openFile) : []
  const raw = m.text ?? m.caption ?? (attachments.length ? '' : undefined)
  if (raw === undefined) return undefined
  if (m.from?.id === bot.id) return undefined
  const chatType = m.chat.type
  if (chatType !== 'private' && chatType !== 'group' && chatType !== 'supergroup') return undefined
  const topic = m.is_topic_message ? m.message_thread_id : undefined
  const { text, mentionsBot } = normalizeTelegramMentions({
    text: raw,
    entities: m.text !== undefined ? m.entities : m.caption_entities,
    botId: bot.id,
    botUsername: bot.username,
    assistantName,
    replyToBot: m.reply_to_message?.from?.id === bot.id,
  })
  return {
    jid: telegramJid(m.chat.id, topic),
    senderJid: `telegram:user:${m.from?.id ?? m.sender_chat?.id ?? 0}`,
    senderName: senderName(m),
    messageId: String(m.message_id),
    text,
    isGroup: chatType !== 'private',
    mentionsBot,
    replyTo: m.reply_to_message ? String(m.reply_to_message.message_id) : undefined,
    threadId: topic === undefined ? undefined : String(topic),
    chatName: 'title' in m.chat ? m.chat.title : senderName(m),
    ts: m.date * 1000,
    ...(attachments.length ? { attachments } : {}),
  }
}
