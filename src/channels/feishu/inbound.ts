import * as v from 'valibot'
import type { InboundMessage } from '../../core/channel/channel.ts'
import { addressesAssistant } from '../shared/mentions.ts'

const IdSchema = v.object({
  open_id: v.optional(v.string()),
  user_id: v.optional(v.nullish(v.string())),
  union_id: v.optional(v.nullish(v.string())),
})

/** `im.message.receive_v1` (schema 2.0) as the SDK's dispatcher hands it over: header fields plus the event. */
const ReceiveSchema = v.object({
  sender: v.object({ sender_id: IdSchema, sender_type: v.optional(v.string()) }),
  message: v.object({
    message_id: v.string(),
    root_id: v.optional(v.nullish(v.string())),
    parent_id: v.optional(v.nullish(v.string())),
    thread_id: v.optional(v.nullish(v.string())),
    create_time: v.optional(v.string()),
    chat_id: v.string(),
    chat_type: v.string(),
    message_type: v.string(),
    content: v.string(),
    mentions: v.optional(
      v.nullish(v.array(v.object({ key: v.string(), id: IdSchema, name: v.optional(v.string()) }))),
    ),
  }),
})

const TextContent = v.object({ text: v.string() })
const PostNode = v.object({ tag: v.string(), text: v.optional(v.string()), user_id: v.optional(v.string()) })
const PostContent = v.object({ title: v.optional(v.string()), content: v.array(v.array(PostNode)) })

/** `feishu:<chat_id>`, plus `#<root message id>` for a message inside a thread (topic). */
export function feishuJid(chatId: string, rootId?: string | null): string {
  return `feishu:${chatId}${rootId ? `#${rootId}` : ''}`
}

/** Text of a `text` or rich-text `post` message; mentions stay as their `@_user_N` keys here. */
function textOf(type: string, content: string): string | undefined {
  let json: unknown
  try {
    json = JSON.parse(content)
  } catch {
    return undefined
  }
  if (type === 'text') {
    const t = v.safeParse(TextContent, json)
    return t.success ? t.output.text : undefined
  }
  if (type === 'post') {
    const p = v.safeParse(PostContent, json)
    if (!p.success) return undefined
    const lines = p.output.content.map((line) =>
      line.map((n) => (n.tag === 'at' ? (n.user_id ?? '') : (n.text ?? ''))).join(''),
    )
    return [p.output.title, ...lines].filter((l) => l).join('\n')
  }
  return undefined
}

export interface FeishuInboundContext {
  botOpenId: string
  assistantName: string
}

/** One received message → InboundMessage, or undefined for bots' own posts and non-text messages. */
export function fromReceiveEvent(data: unknown, ctx: FeishuInboundContext): InboundMessage | undefined {
  const parsed = v.safeParse(ReceiveSchema, data)
  if (!parsed.success) return undefined
  const { sender, message: m } = parsed.output
  if (sender.sender_type && sender.sender_type !== 'user') return undefined
  const raw = textOf(m.message_type, m.content)
  if (raw === undefined || raw.trim() === '') return undefined
  let mentioned = false
  let text = raw
  // Mentions arrive as placeholders (`@_user_1`) resolved through message.mentions.
  for (const mention of m.mentions ?? []) {
    const isBot = mention.id.open_id === ctx.botOpenId
    if (isBot) mentioned = true
    text = text.split(mention.key).join(isBot ? `@${ctx.assistantName}` : `@${mention.name ?? 'someone'}`)
  }
  // A quoted reply in the chat also has root_id; only a message in a thread (topic) has thread_id.
  const thread = m.thread_id && m.root_id ? m.root_id : undefined
  const senderId = sender.sender_id.open_id ?? sender.sender_id.union_id ?? 'unknown'
  return {
    jid: feishuJid(m.chat_id, thread),
    senderJid: `feishu:user:${senderId}`,
    senderName: senderId,
    messageId: m.message_id,
    text: text.trim(),
    isGroup: m.chat_type !== 'p2p',
    mentionsBot: mentioned || addressesAssistant(text, ctx.assistantName),
    threadId: thread,
    replyTo: m.parent_id || undefined,
    ts: m.create_time ? Number(m.create_time) : undefined,
  }
}
