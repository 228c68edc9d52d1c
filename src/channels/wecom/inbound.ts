import * as v from 'valibot'
import type { InboundMessage } from '../../core/channel/channel.ts'
import { addressesAssistant } from '../shared/mentions.ts'

const TextSchema = v.object({ content: v.string() })

/** `aibot_msg_callback` body (text, voice-as-text and mixed messages carry text we can pass on). */
const MessageBodySchema = v.object({
  msgid: v.string(),
  aibotid: v.optional(v.string()),
  chatid: v.optional(v.string()),
  chattype: v.picklist(['single', 'group']),
  from: v.object({ userid: v.string() }),
  create_time: v.optional(v.number()),
  msgtype: v.string(),
  text: v.optional(TextSchema),
  voice: v.optional(TextSchema),
  mixed: v.optional(
    v.object({
      msg_item: v.array(v.object({ msgtype: v.string(), text: v.optional(TextSchema) })),
    }),
  ),
  quote: v.optional(v.object({ msgtype: v.string(), text: v.optional(TextSchema) })),
})

export type WecomMessageBody = v.InferOutput<typeof MessageBodySchema>

/** `wecom:user:<userid>` for a single chat, `wecom:group:<chatid>` for a group. */
export function wecomJid(body: Pick<WecomMessageBody, 'chattype' | 'chatid' | 'from'>): string {
  return body.chattype === 'group' && body.chatid
    ? `wecom:group:${body.chatid}`
    : `wecom:user:${body.from.userid}`
}

function textOf(b: WecomMessageBody): string {
  if (b.text) return b.text.content
  if (b.voice) return b.voice.content
  if (b.mixed)
    return b.mixed.msg_item
      .map((i) => i.text?.content ?? '')
      .filter((t) => t !== '')
      .join('\n')
  return ''
}

/**
 * WeCom only calls an AI bot in a group when someone @-mentions it, and the text then starts with
 * `@<bot name>` (the name set in the admin console, not ours): that prefix becomes `@<assistant>`.
 */
function normalizeGroupMention(text: string, assistantName: string): string {
  const trimmed = text.trimStart()
  if (addressesAssistant(trimmed, assistantName)) return trimmed
  const m = /^@\S+\s*/.exec(trimmed)
  return `@${assistantName} ${m ? trimmed.slice(m[0].length) : trimmed}`
}

export interface WecomInboundContext {
  assistantName: string
}

/** A message callback → InboundMessage, or undefined for what is not text (images, files …). */
export function fromCallback(body: unknown, ctx: WecomInboundContext): InboundMessage | undefined {
  const parsed = v.safeParse(MessageBodySchema, body)
  if (!parsed.success) return undefined
  const b = parsed.output
  const raw = textOf(b).trim()
  if (raw === '') return undefined
  const isGroup = b.chattype === 'group'
  const quoted = b.quote?.text?.content
  const text = isGroup ? normalizeGroupMention(raw, ctx.assistantName) : raw
  return {
    jid: wecomJid(b),
    senderJid: `wecom:user:${b.from.userid}`,
    senderName: b.from.userid,
    messageId: b.msgid,
    text: quoted ? `${text}\n\n> ${quoted.replace(/\n/g, '\n> ')}` : text,
    isGroup,
    // Group callbacks only happen on an @-mention; a single chat is addressed by its trigger mode.
    mentionsBot: isGroup || addressesAssistant(raw, ctx.assistantName),
    ts: b.create_time ? b.create_time * 1000 : undefined,
  }
}
