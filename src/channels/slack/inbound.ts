import * as v from 'valibot'
import type { InboundAttachment, InboundMessage } from '../../core/channel/channel.ts'
import { normalizeSlackMentions } from '../shared/mentions.ts'

const MessageEventSchema = v.object({
  type: v.picklist(['message', 'app_mention']),
  channel: v.string(),
  user: v.optional(v.string()),
  text: v.optional(v.string()),
  ts: v.string(),
  thread_ts: v.optional(v.string()),
  subtype: v.optional(v.string()),
  bot_id: v.optional(v.string()),
  channel_type: v.optional(v.string()),
  files: v.optional(
    v.array(
      v.object({
        id: v.string(),
        name: v.optional(v.string()),
        mimetype: v.optional(v.string()),
        size: v.optional(v.number()),
        subtype: v.optional(v.string()),
        url_private_download: v.optional(v.string()),
        url_private: v.optional(v.string()),
      }),
    ),
  ),
})

const SlashCommandSchema = v.object({
  command: v.string(),
  text: v.optional(v.string()),
  channel_id: v.string(),
  user_id: v.string(),
  user_name: v.optional(v.string()),
  trigger_id: v.string(),
  channel_name: v.optional(v.string()),
})

/** Subtypes that are a person writing; edits, deletions, joins and bot posts are not prompts. */
const USER_SUBTYPES = new Set([undefined, 'thread_broadcast', 'file_share', 'me_message'])

export interface SlackInboundContext {
  botUserId: string
  assistantName: string
  /** Downloads a file's private URL with the bot token; without it files are ignored. */
  openFile?(url: string): Promise<Response>
}

function kindOf(mimetype: string | undefined, subtype: string | undefined): InboundAttachment['kind'] {
  // Slack's recorded audio clips (huddle-style voice messages) are `slack_audio`.
  if (subtype === 'slack_audio') return 'voice'
  if (mimetype?.startsWith('image/')) return 'image'
  if (mimetype?.startsWith('audio/')) return 'audio'
  if (mimetype?.startsWith('video/')) return 'video'
  return 'document'
}

/** `slack:<channel>`, plus `#<thread_ts>` for a message inside a thread. */
export function slackJid(channel: string, threadTs?: string): string {
  return `slack:${channel}${threadTs ? `#${threadTs}` : ''}`
}

const isDirect = (channel: string, channelType?: string) => channelType === 'im' || channel.startsWith('D')

/** An Events API `message` / `app_mention` event; `senderName` is filled in by the caller (users.info). */
export function fromEvent(event: unknown, ctx: SlackInboundContext): InboundMessage | undefined {
  const parsed = v.safeParse(MessageEventSchema, event)
  if (!parsed.success) return undefined
  const e = parsed.output
  if (!USER_SUBTYPES.has(e.subtype) || e.bot_id || !e.user || e.user === ctx.botUserId) return undefined
  const open = ctx.openFile
  const attachments: InboundAttachment[] = open
    ? (e.files ?? []).flatMap((f) => {
        const url = f.url_private_download ?? f.url_private
        if (!url) return []
        return [
          {
            kind: kindOf(f.mimetype, f.subtype),
            name: f.name,
            size: f.size,
            mimeType: f.mimetype,
            open: () => open(url),
          },
        ]
      })
    : []
  if (!e.text?.trim() && attachments.length === 0) return undefined
  const { text, mentionsBot } = normalizeSlackMentions({
    text: e.text ?? '',
    botUserId: ctx.botUserId,
    assistantName: ctx.assistantName,
  })
  const thread = e.thread_ts && e.thread_ts !== e.ts ? e.thread_ts : undefined
  return {
    jid: slackJid(e.channel, thread),
    senderJid: `slack:user:${e.user}`,
    senderName: e.user,
    messageId: e.ts,
    text,
    isGroup: !isDirect(e.channel, e.channel_type),
    mentionsBot: mentionsBot || e.type === 'app_mention',
    threadId: thread,
    ts: Math.round(Number(e.ts) * 1000),
    ...(attachments.length ? { attachments } : {}),
  }
}

/** A slash command (e.g. `/help`) registered for the app: addressed to the bot by definition. */
export function fromSlashCommand(payload: unknown): InboundMessage | undefined {
  const parsed = v.safeParse(SlashCommandSchema, payload)
  if (!parsed.success) return undefined
  const c = parsed.output
  return {
    jid: slackJid(c.channel_id),
    senderJid: `slack:user:${c.user_id}`,
    senderName: c.user_name ?? c.user_id,
    messageId: c.trigger_id,
    text: `${c.command} ${c.text ?? ''}`.trim(),
    isGroup: !isDirect(c.channel_id),
    mentionsBot: true,
    chatName: c.channel_name,
  }
}
