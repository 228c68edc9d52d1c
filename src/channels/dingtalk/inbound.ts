import * as v from 'valibot'
import type { InboundMessage } from '../../core/channel/channel.ts'

/** The `data` of a robot CALLBACK frame (topic /v1.0/im/bot/messages/get). */
export const RobotMessageSchema = v.object({
  msgId: v.string(),
  msgtype: v.string(),
  text: v.optional(v.object({ content: v.string() })),
  conversationId: v.string(),
  conversationType: v.picklist(['1', '2']),
  conversationTitle: v.optional(v.string()),
  senderId: v.optional(v.string()),
  senderStaffId: v.optional(v.string()),
  senderNick: v.optional(v.string()),
  robotCode: v.optional(v.string()),
  isInAtList: v.optional(v.boolean()),
  sessionWebhook: v.optional(v.string()),
  sessionWebhookExpiredTime: v.optional(v.number()),
  createAt: v.optional(v.number()),
})
export type RobotMessage = v.InferOutput<typeof RobotMessageSchema>

/** `dingtalk:user:<staffId>` for a 1:1 chat (the robot API's reply target), `dingtalk:group:<conversationId>` for a group. */
export function dingtalkJid(
  m: Pick<RobotMessage, 'conversationType' | 'conversationId' | 'senderStaffId' | 'senderId'>,
) {
  if (m.conversationType === '2') return `dingtalk:group:${m.conversationId}`
  return `dingtalk:user:${m.senderStaffId ?? m.senderId ?? m.conversationId}`
}

export interface ParsedRobotMessage {
  message: InboundMessage
  raw: RobotMessage
}

/**
 * A text robot message → InboundMessage. DingTalk strips the @robot text from `content` (leaving a
 * leading space) and says `isInAtList`; the agent sees `@<assistant>` in its place, as on every platform.
 */
export function fromRobotMessage(data: string, assistantName: string): ParsedRobotMessage | undefined {
  let json: unknown
  try {
    json = JSON.parse(data)
  } catch {
    return undefined
  }
  const parsed = v.safeParse(RobotMessageSchema, json)
  if (!parsed.success) return undefined
  const m = parsed.output
  const content = m.msgtype === 'text' ? m.text?.content.trim() : undefined
  if (!content) return undefined
  const isGroup = m.conversationType === '2'
  const mentioned = !isGroup || m.isInAtList === true
  const sender = m.senderStaffId ?? m.senderId ?? 'unknown'
  return {
    raw: m,
    message: {
      jid: dingtalkJid(m),
      senderJid: `dingtalk:user:${sender}`,
      senderName: m.senderNick || sender,
      messageId: m.msgId,
      text: isGroup && mentioned ? `@${assistantName} ${content}` : content,
      isGroup,
      mentionsBot: mentioned,
      chatName: m.conversationTitle,
      ts: m.createAt,
    },
  }
}
