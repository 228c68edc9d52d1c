import * as v from 'valibot'
import type { InboundMessage } from '../../core/channel/channel.ts'

const C2cMessage = v.object({
  id: v.string(),
  content: v.string(),
  timestamp: v.optional(v.string()),
  author: v.object({ user_openid: v.string() }),
})

const GroupAtMessage = v.object({
  id: v.string(),
  content: v.string(),
  timestamp: v.optional(v.string()),
  group_openid: v.string(),
  author: v.object({ member_openid: v.string() }),
})

/** Openids are per bot and carry no name; the short tail tells people apart in a transcript. */
const nameOf = (kind: string, openid: string) => `${kind} ${openid.slice(-6)}`

const tsOf = (t?: string) => {
  const ms = t ? Date.parse(t) : Number.NaN
  return Number.isFinite(ms) ? ms : undefined
}

/**
 * A gateway dispatch → InboundMessage. QQ's event type says it all: `C2C_MESSAGE_CREATE` is a
 * direct chat, `GROUP_AT_MESSAGE_CREATE` a group message that @-mentions the bot (group bots see
 * nothing else). The @ is removed by QQ; the agent sees `@<assistant>` in its place.
 */
export function fromDispatch(type: string, data: unknown, assistantName: string): InboundMessage | undefined {
  if (type === 'C2C_MESSAGE_CREATE') {
    const p = v.safeParse(C2cMessage, data)
    if (!p.success || !p.output.content.trim()) return undefined
    const m = p.output
    return {
      jid: `qq:user:${m.author.user_openid}`,
      senderJid: `qq:user:${m.author.user_openid}`,
      senderName: nameOf('user', m.author.user_openid),
      messageId: m.id,
      text: m.content.trim(),
      isGroup: false,
      mentionsBot: true,
      ts: tsOf(m.timestamp),
    }
  }
  if (type === 'GROUP_AT_MESSAGE_CREATE') {
    const p = v.safeParse(GroupAtMessage, data)
    if (!p.success || !p.output.content.trim()) return undefined
    const m = p.output
    return {
      jid: `qq:group:${m.group_openid}`,
      senderJid: `qq:user:${m.author.member_openid}`,
      senderName: nameOf('member', m.author.member_openid),
      messageId: m.id,
      text: `@${assistantName} ${m.content.trim()}`,
      isGroup: true,
      mentionsBot: true,
      ts: tsOf(m.timestamp),
    }
  }
  return undefined
}
