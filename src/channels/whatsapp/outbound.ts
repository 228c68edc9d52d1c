import * as v from 'valibot'
import type { SendOptions } from '../../core/channel/channel.ts'
import { ChannelError, errorMessage, InvalidInputError } from '../../core/errors.ts'
import { parseJid } from '../../core/jid.ts'
import { createTokenBucket, type TokenBucket, type TokenBucketOptions } from '../../util/token-bucket.ts'

export interface GraphTarget {
  /** `to` of the send body. */
  to: string
  recipientType: 'individual' | 'group'
}

export function parseWhatsAppTarget(jid: string): GraphTarget {
  const j = parseJid(jid)
  if (j.platform !== 'whatsapp') throw new InvalidInputError(`${jid} is not a WhatsApp chat`, 'jid')
  if (j.kind === 'group') return { to: j.id, recipientType: 'group' }
  if (j.kind === undefined)
    return { to: j.id.startsWith('bsuid:') ? j.id.slice(6) : j.id, recipientType: 'individual' }
  throw new InvalidInputError(`${jid}: WhatsApp chats are whatsapp:<number> or whatsapp:group:<id>`, 'jid')
}

const GraphError = v.object({
  error: v.object({
    message: v.optional(v.string()),
    code: v.optional(v.number()),
    error_subcode: v.optional(v.number()),
    error_data: v.optional(v.object({ details: v.optional(v.string()) })),
  }),
})

const SendResult = v.object({ messages: v.optional(v.array(v.object({ id: v.string() }))) })

/** Graph codes that a later attempt can succeed with, and how long to wait when the platform says nothing. */
const RETRY_AFTER_MS: Record<number, number> = {
  130429: 1000, // throughput per phone number: the limit is per second
  131056: 6000, // pair rate: about one message per 6 s to the same user
  80007: 1000, // WABA rate limit
  4: 1000, // app-level call rate
  1: 1000, // unknown error, usually transient
  2: 1000, // service temporarily unavailable
}

/** Graph's error answer → one ChannelError the send queue and the user understand. */
export async function graphError(res: Response, action: string, to: string): Promise<ChannelError> {
  const text = await res.text().catch(() => '')
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  const parsed = v.safeParse(GraphError, body)
  const code = parsed.success ? parsed.output.error.code : undefined
  const detail = parsed.success
    ? (parsed.output.error.error_data?.details ?? parsed.output.error.message ?? '')
    : text.slice(0, 200)
  const header = Number(res.headers.get('retry-after') ?? Number.NaN)
  if (code === 131047) {
    return new ChannelError(
      `WhatsApp refused the reply to ${to}: more than 24 hours passed since this user last wrote ` +
        '(code 131047), and outside that window only approved template messages can be sent; ' +
        'the user has to write again before ngb can answer.',
      { retryable: false },
    )
  }
  if (code === 190 || res.status === 401) {
    return new ChannelError(
      `WhatsApp rejected the access token on ${action} (${detail || `HTTP ${res.status}`}); ` +
        'set a valid WHATSAPP_ACCESS_TOKEN (a system-user token does not expire)',
      { retryable: false },
    )
  }
  const known = code !== undefined ? RETRY_AFTER_MS[code] : undefined
  if (known !== undefined || res.status === 429 || res.status >= 500) {
    return new ChannelError(
      `WhatsApp ${action} failed: ${code ? `code ${code}` : `HTTP ${res.status}`}${detail ? ` (${detail})` : ''}`,
      {
        retryable: true,
        retryAfterMs: Number.isFinite(header)
          ? header * 1000
          : (known ?? (res.status === 429 ? 1000 : undefined)),
      },
    )
  }
  return new ChannelError(
    `WhatsApp refused ${action} to ${to}: ${code ? `code ${code}` : `HTTP ${res.status}`}${detail ? ` (${detail})` : ''}`,
    { retryable: false },
  )
}

export interface WhatsAppSenderDeps {
  /** `<graph base>/<version>/<phone number id>`. */
  numberUrl: string
  accessToken: string
  /** Budget per recipient (Meta's pair rate: bursts allowed, then about one message per 6 s). */
  pairRate: Omit<TokenBucketOptions, 'clock'>
  fetch?: typeof fetch
}

export function createWhatsAppSender(deps: WhatsAppSenderDeps) {
  const doFetch = deps.fetch ?? fetch
  /** One bucket per recipient; the send queue keeps one chat's sends serial, so they wait in order. */
  const buckets = new Map<string, TokenBucket>()
  const bucketOf = (to: string) => {
    let b = buckets.get(to)
    if (!b) {
      b = createTokenBucket(deps.pairRate)
      buckets.set(to, b)
      // Forget the longest-known recipient beyond 10,000; its bucket would be full again by now anyway.
      if (buckets.size > 10_000) buckets.delete(buckets.keys().next().value ?? to)
    }
    return b
  }

  async function post(body: Record<string, unknown>, action: string, to: string): Promise<Response> {
    let res: Response
    try {
      res = await doFetch(`${deps.numberUrl}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${deps.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messaging_product: 'whatsapp', ...body }),
      })
    } catch (err) {
      throw new ChannelError(`WhatsApp ${action} failed: ${errorMessage(err)}`, {
        retryable: true,
        cause: err,
      })
    }
    if (!res.ok) throw await graphError(res, action, to)
    return res
  }

  return {
    async send(jid: string, text: string, opts?: SendOptions): Promise<{ messageId?: string }> {
      const target = parseWhatsAppTarget(jid)
      await bucketOf(target.to).take()
      const res = await post(
        {
          recipient_type: target.recipientType,
          to: target.to,
          type: 'text',
          text: { body: text, preview_url: false },
          ...(opts?.replyTo ? { context: { message_id: opts.replyTo } } : {}),
        },
        'send',
        target.to,
      )
      const parsed = v.safeParse(SendResult, await res.json().catch(() => undefined))
      return { messageId: parsed.success ? parsed.output.messages?.[0]?.id : undefined }
    },
    /** Marks `messageId` read and shows "typing…" until the reply or ~25 s. */
    async typing(jid: string, messageId: string): Promise<void> {
      await post({ status: 'read', message_id: messageId, typing_indicator: { type: 'text' } }, 'typing', jid)
    },
  }
}
