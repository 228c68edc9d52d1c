import * as v from 'valibot'
import type { InboundMessage } from '../../core/channel/channel.ts'

const TextMessage = v.object({
  from: v.optional(v.string()),
  from_user_id: v.optional(v.string()),
  id: v.string(),
  timestamp: v.optional(v.string()),
  type: v.string(),
  text: v.optional(v.object({ body: v.string() })),
  group_id: v.optional(v.string()),
  context: v.optional(v.object({ id: v.optional(v.string()), from: v.optional(v.string()) })),
})

const Value = v.object({
  messaging_product: v.optional(v.string()),
  metadata: v.optional(
    v.object({ display_phone_number: v.optional(v.string()), phone_number_id: v.string() }),
  ),
  contacts: v.optional(
    v.array(
      v.object({
        profile: v.optional(v.object({ name: v.optional(v.string()) })),
        wa_id: v.optional(v.string()),
        user_id: v.optional(v.string()),
      }),
    ),
  ),
  messages: v.optional(v.array(v.unknown())),
})

export const WebhookPayloadSchema = v.object({
  object: v.string(),
  entry: v.array(
    v.object({
      id: v.optional(v.string()),
      changes: v.array(v.object({ field: v.string(), value: v.unknown() })),
    }),
  ),
})

export interface WhatsAppInboundContext {
  /** Only messages to this number are ours (one app can serve several numbers). */
  phoneNumberId: string
  /** The business number, digits only: `@<it>` in a group addresses the bot. */
  displayPhone?: string
  assistantName: string
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * WhatsApp has no structured "bot mentioned" flag: `@<assistant name>` or `@<business number>`
 * anywhere in the text addresses the bot; the number is rewritten to `@<assistant>` for the agent.
 */
export function normalizeWhatsAppMention(
  text: string,
  ctx: Pick<WhatsAppInboundContext, 'displayPhone' | 'assistantName'>,
): { text: string; mentionsBot: boolean } {
  let mentioned = false
  let out = text
  if (ctx.displayPhone) {
    out = out.replace(new RegExp(`@\\+?${escapeRegExp(ctx.displayPhone)}(?!\\d)`, 'g'), () => {
      mentioned = true
      return `@${ctx.assistantName}`
    })
  }
  if (new RegExp(`(^|\\s)@${escapeRegExp(ctx.assistantName)}(?![\\p{L}\\p{N}_-])`, 'iu').test(out))
    mentioned = true
  return { text: out, mentionsBot: mentioned }
}

/** `whatsapp:<wa_id>` for a person, `whatsapp:group:<id>` for a group, `whatsapp:bsuid:<id>` without a number. */
export function whatsappJid(m: {
  from?: string
  from_user_id?: string
  group_id?: string
}): string | undefined {
  if (m.group_id) return `whatsapp:group:${m.group_id}`
  if (m.from) return `whatsapp:${m.from}`
  if (m.from_user_id) return `whatsapp:bsuid:${m.from_user_id}`
  return undefined
}

/**
 * The text messages in one verified webhook payload. Statuses (sent/delivered/read), other
 * numbers' traffic and non-text messages are skipped; the rest become InboundMessages.
 */
export function fromWebhook(payload: unknown, ctx: WhatsAppInboundContext): InboundMessage[] {
  const parsed = v.safeParse(WebhookPayloadSchema, payload)
  if (!parsed.success || parsed.output.object !== 'whatsapp_business_account') return []
  const out: InboundMessage[] = []
  for (const entry of parsed.output.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue
      const value = v.safeParse(Value, change.value)
      if (!value.success || value.output.metadata?.phone_number_id !== ctx.phoneNumberId) continue
      const contacts = value.output.contacts ?? []
      for (const raw of value.output.messages ?? []) {
        const m = v.safeParse(TextMessage, raw)
        const body = m.success && m.output.type === 'text' ? m.output.text?.body : undefined
        if (!m.success || body === undefined) continue
        const msg = m.output
        const jid = whatsappJid(msg)
        const sender = msg.from ?? msg.from_user_id
        if (!jid || !sender) continue
        const contact = contacts.find((c) => c.wa_id === sender || c.user_id === sender)
        const isGroup = msg.group_id !== undefined
        const norm = isGroup ? normalizeWhatsAppMention(body, ctx) : { text: body, mentionsBot: true }
        out.push({
          jid,
          senderJid: msg.from ? `whatsapp:${msg.from}` : `whatsapp:bsuid:${sender}`,
          senderName: contact?.profile?.name || sender,
          messageId: msg.id,
          text: norm.text,
          isGroup,
          mentionsBot: norm.mentionsBot,
          replyTo: msg.context?.id,
          ts: msg.timestamp ? Number(msg.timestamp) * 1000 : undefined,
        })
      }
    }
  }
  return out
}
