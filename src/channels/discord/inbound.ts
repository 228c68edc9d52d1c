import * as v from 'valibot'
import type { InboundAttachment, InboundMessage } from '../../core/channel/channel.ts'
import { normalizeDiscordMentions } from '../shared/mentions.ts'

const User = v.object({
  id: v.string(),
  username: v.string(),
  global_name: v.optional(v.nullable(v.string())),
  bot: v.optional(v.boolean()),
})

/** The fields of a gateway MESSAGE_CREATE we use; anything else in the payload is ignored. */
export const MessageCreateSchema = v.object({
  id: v.string(),
  channel_id: v.string(),
  guild_id: v.optional(v.string()),
  author: User,
  member: v.optional(v.object({ nick: v.optional(v.nullable(v.string())) })),
  content: v.string(),
  timestamp: v.optional(v.string()),
  type: v.optional(v.number()),
  webhook_id: v.optional(v.string()),
  mentions: v.optional(v.array(User)),
  mention_roles: v.optional(v.array(v.string())),
  message_reference: v.optional(v.object({ message_id: v.optional(v.string()) })),
  referenced_message: v.optional(v.nullable(v.object({ author: v.object({ id: v.string() }) }))),
  flags: v.optional(v.number()),
  attachments: v.optional(
    v.array(
      v.object({
        id: v.string(),
        filename: v.string(),
        size: v.optional(v.number()),
        url: v.string(),
        content_type: v.optional(v.string()),
      }),
    ),
  ),
})

export type MessageCreate = v.InferOutput<typeof MessageCreateSchema>

export interface DiscordChannelInfo {
  isThread: boolean
  /** The channel a thread belongs to. */
  parentId?: string
  name?: string
}

export interface DiscordInboundContext {
  botId: string
  assistantName: string
  /** The bot's managed role in that guild, if known: mentioning it addresses the bot. */
  botRoleId(guildId: string): string | undefined
  channelInfo(channelId: string): DiscordChannelInfo | undefined
  /** Downloads an attachment's CDN URL; without it attachments are ignored. */
  openAttachment?(url: string): Promise<Response>
}

/** Discord marks voice messages with this message flag (IS_VOICE_MESSAGE). */
const VOICE_MESSAGE_FLAG = 1 << 13

function kindOf(contentType: string | undefined, voice: boolean): InboundAttachment['kind'] {
  if (voice) return 'voice'
  if (contentType?.startsWith('image/')) return 'image'
  if (contentType?.startsWith('audio/')) return 'audio'
  if (contentType?.startsWith('video/')) return 'video'
  return 'document'
}

/** Message types a person writes: DEFAULT (0) and REPLY (19). Joins, pins and the like are not prompts. */
const USER_MESSAGE_TYPES = new Set([0, 19])

export function toInboundMessage(data: unknown, ctx: DiscordInboundContext): InboundMessage | undefined {
  const parsed = v.safeParse(MessageCreateSchema, data)
  if (!parsed.success) return undefined
  const m = parsed.output
  // Other bots (and our own echoes) are never prompts: two bots answering each other never stop.
  if (m.author.bot || m.webhook_id || m.author.id === ctx.botId) return undefined
  if (m.type !== undefined && !USER_MESSAGE_TYPES.has(m.type)) return undefined
  const open = ctx.openAttachment
  const attachments: InboundAttachment[] = open
    ? (m.attachments ?? []).map((a) => ({
        kind: kindOf(a.content_type, ((m.flags ?? 0) & VOICE_MESSAGE_FLAG) !== 0),
        name: a.filename,
        size: a.size,
        mimeType: a.content_type,
        open: () => open(a.url),
      }))
    : []
  if (m.content.trim() === '' && attachments.length === 0) return undefined
  const roleId = m.guild_id ? ctx.botRoleId(m.guild_id) : undefined
  const { text, mentionsBot } = normalizeDiscordMentions({
    content: m.content,
    botId: ctx.botId,
    botRoleIds: roleId ? [roleId] : [],
    users: m.mentions,
    assistantName: ctx.assistantName,
    replyToBot: m.referenced_message?.author.id === ctx.botId,
  })
  const info = ctx.channelInfo(m.channel_id)
  // A thread is a channel of its own, but it belongs to its parent's chat (and binding):
  // `discord:<parent>#<thread>`. Replies go to the thread's channel id.
  const thread = info?.isThread && info.parentId ? m.channel_id : undefined
  return {
    jid: thread && info?.parentId ? `discord:${info.parentId}#${thread}` : `discord:${m.channel_id}`,
    senderJid: `discord:user:${m.author.id}`,
    senderName: m.member?.nick ?? m.author.global_name ?? m.author.username,
    messageId: m.id,
    text,
    isGroup: m.guild_id !== undefined,
    mentionsBot,
    replyTo: m.message_reference?.message_id,
    threadId: thread,
    chatName: info?.name,
    ts: m.timestamp ? Date.parse(m.timestamp) : undefined,
    ...(attachments.length ? { attachments } : {}),
  }
}
