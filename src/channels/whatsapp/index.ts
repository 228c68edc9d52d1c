import type { Channel, ChannelContext } from '../../core/channel/channel.ts'
import type { WebhookRequest, WebhookRouter } from '../../core/channel/webhooks.ts'
import { ChannelError, errorMessage } from '../../core/errors.ts'
import { parseJid } from '../../core/jid.ts'
import { backoffDelay } from '../../util/backoff.ts'
import { sameSecret, verifyHmacSha256 } from '../../util/hmac.ts'
import type { Logger } from '../../util/log.ts'
import type { TokenBucketOptions } from '../../util/token-bucket.ts'
import { createHealthState } from '../shared/health.ts'
import { markdownToWhatsApp } from './dialect.ts'
import { fromWebhook } from './inbound.ts'
import { createWhatsAppSender } from './outbound.ts'
import { numberUrl, readNumber } from './probe.ts'

export interface WhatsAppChannelDeps {
  accessToken: string
  phoneNumberId: string
  /** Echoed back in the GET verification handshake Meta makes when the webhook is set up. */
  verifyToken: string
  /** Key of the X-Hub-Signature-256 HMAC on every POST. */
  appSecret: string
  /** Graph base URL (default https://graph.facebook.com). */
  apiBase?: string
  /** Graph version segment (default v21.0). */
  apiVersion?: string
  hooks: WebhookRouter
  assistantName: string
  log: Logger
  /**
   * Budget per person: Meta allows bursts, then about one message per 6 s to the same user
   * (error 131056). Default: a burst of 10, then one per 6 s.
   */
  pairRate?: Omit<TokenBucketOptions, 'clock'>
}

/** WhatsApp's `text.body` limit, in characters. */
export const WHATSAPP_MAX_MESSAGE_LENGTH = 4096

export function createWhatsAppChannel(deps: WhatsAppChannelDeps): Channel {
  const log = deps.log.child({ component: 'whatsapp' })
  const url = numberUrl(deps.apiBase, deps.phoneNumberId, deps.apiVersion)
  const sender = createWhatsAppSender({
    numberUrl: url,
    accessToken: deps.accessToken,
    pairRate: deps.pairRate ?? { capacity: 10, refillPerSecond: 1 / 6 },
  })
  /** The last inbound message per chat: typing needs one to mark read. */
  const lastInbound = new Map<string, string>()
  let displayPhone: string | undefined
  const health = createHealthState((next) => ctx?.onStatus(next))
  let ctx: ChannelContext | undefined
  let unmount: (() => void) | undefined
  let retryTimer: ReturnType<typeof setTimeout> | undefined

  const setHealth = health.set

  /** Checks the token and number by reading the number's profile; also learns the number for mentions. */
  async function checkNumber(): Promise<void> {
    displayPhone = await readNumber(url, deps.accessToken)
  }

  /** A failed check that is not the credentials' fault retries in the background. */
  function checkUntilOk(attempt: number) {
    checkNumber()
      .then(() => {
        setHealth({ status: 'connected' })
        log.info('connected', { phoneNumberId: deps.phoneNumberId })
      })
      .catch((err: unknown) => {
        if (!unmount) return
        if (err instanceof ChannelError && !err.retryable) {
          setHealth({ status: 'error', detail: err.message })
          return
        }
        const delay = backoffDelay(attempt, { baseMs: 1000, maxMs: 60_000 })
        setHealth({
          status: 'connecting',
          detail: `Graph API not reachable (${errorMessage(err)}); next attempt in ${Math.round(delay / 1000)} s`,
        })
        retryTimer = setTimeout(() => checkUntilOk(attempt + 1), delay)
      })
  }

  async function onWebhook(req: WebhookRequest): Promise<Response> {
    if (req.method === 'GET') {
      const q = req.url.searchParams
      if (q.get('hub.mode') === 'subscribe' && sameSecret(q.get('hub.verify_token'), deps.verifyToken)) {
        return new Response(q.get('hub.challenge') ?? '', { headers: { 'content-type': 'text/plain' } })
      }
      return new Response('verify token mismatch', { status: 403 })
    }
    if (req.method !== 'POST') return new Response('method not allowed', { status: 405 })
    // Signature first, over the raw bytes; only a verified body is parsed.
    if (!verifyHmacSha256(deps.appSecret, req.body, req.headers.get('x-hub-signature-256'))) {
      return new Response('bad signature', { status: 401 })
    }
    let payload: unknown
    try {
      payload = JSON.parse(new TextDecoder().decode(req.body))
    } catch {
      return new Response('invalid JSON', { status: 400 })
    }
    const messages = fromWebhook(payload, {
      phoneNumberId: deps.phoneNumberId,
      displayPhone,
      assistantName: deps.assistantName,
    })
    for (const m of messages) {
      lastInbound.set(m.jid, m.messageId)
      // Stored and queued before the 200: a failure answers 500 and Meta delivers again. A repeat
      // goes on too: the pipeline's persist step drops it by (chat, message id).
      await ctx?.onInbound(m)
    }
    return new Response('ok')
  }

  return {
    name: 'whatsapp',
    maxMessageLength: WHATSAPP_MAX_MESSAGE_LENGTH,
    async connect(context) {
      ctx = context
      if (!unmount) unmount = deps.hooks.mount('whatsapp', onWebhook)
      try {
        await checkNumber()
      } catch (err) {
        if (err instanceof ChannelError && !err.retryable) {
          unmount()
          unmount = undefined
          setHealth({ status: 'error', detail: err.message })
          throw err
        }
        checkUntilOk(0)
        return
      }
      setHealth({ status: 'connected' })
      log.info('connected', { phoneNumberId: deps.phoneNumberId })
    },
    async disconnect() {
      clearTimeout(retryTimer)
      unmount?.()
      unmount = undefined
      setHealth({ status: 'disconnected' })
    },
    send: (jid, text, opts) => sender.send(jid, text, opts),
    async setTyping(jid, on) {
      const messageId = lastInbound.get(jid)
      // WhatsApp's indicator hangs on the user's last message and ends by itself with the reply.
      if (!on || !messageId || parseJid(jid).kind === 'group') return
      await sender.typing(jid, messageId)
    },
    health: health.get,
    formatMarkdown: markdownToWhatsApp,
  }
}
