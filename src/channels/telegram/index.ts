import { Api, GrammyError } from 'grammy'
import type { Update } from 'grammy/types'
import type { Channel, ChannelContext } from '../../core/channel/channel.ts'
import { errorMessage } from '../../core/errors.ts'
import type { BackoffOptions } from '../../util/backoff.ts'
import { backoffDelay } from '../../util/backoff.ts'
import { sleep } from '../../util/clock.ts'
import type { Logger } from '../../util/log.ts'
import type { TokenBucketOptions } from '../../util/token-bucket.ts'
import { createTokenBucket } from '../../util/token-bucket.ts'
import { createHealthState } from '../shared/health.ts'
import type { TelegramBotIdentity } from './inbound.ts'
import { toInboundMessage } from './inbound.ts'
import { createTelegramSender, toChannelError } from './outbound.ts'
import type { TelegramWebhookOptions, WebhookServer } from './webhook.ts'
import { newWebhookSecret, startWebhookServer } from './webhook.ts'

export interface TelegramChannelDeps {
  token: string
  /** Bot API root; default https://api.telegram.org. Tests point it at a local fake. */
  apiRoot?: string
  assistantName: string
  log: Logger
  /** Seconds a getUpdates call is held open by the server (default 30). */
  pollTimeoutSeconds?: number
  /** Backoff between failed polls (default 500 ms doubling to 30 s). */
  reconnect?: BackoffOptions
  /** Webhook mode instead of long polling: Telegram posts updates to this URL. */
  webhook?: TelegramWebhookOptions
  /** Per-bot send budget (default 30 messages/s, Telegram's global bot limit). */
  rateLimit?: Omit<TokenBucketOptions, 'clock'>
}

/** Telegram counts message length in UTF-16 code units after entity parsing. */
export const TELEGRAM_MAX_MESSAGE_LENGTH = 4096
/** The Bot API takes uploads up to 50 MB (photos up to 10 MB; larger images go as documents). */
export const TELEGRAM_MAX_UPLOAD_BYTES = 50 * 1024 * 1024

export function createTelegramChannel(deps: TelegramChannelDeps): Channel {
  const log = deps.log.child({ component: 'telegram' })
  const api = new Api(deps.token, {
    apiRoot: deps.apiRoot,
    fetch: globalThis.fetch,
    // A long poll must outlive the server's hold time.
    timeoutSeconds: (deps.pollTimeoutSeconds ?? 30) + 15,
  })
  const sender = createTelegramSender(
    api,
    createTokenBucket(deps.rateLimit ?? { capacity: 30, refillPerSecond: 30 }),
  )
  const apiRoot = (deps.apiRoot ?? 'https://api.telegram.org').replace(/\/+$/, '')
  /** getFile gives a path valid for an hour; the bytes come from the file endpoint of the same server. */
  async function openFile(fileId: string): Promise<Response> {
    const file = await api.getFile(fileId)
    if (!file.file_path) throw new Error('Telegram gave no file_path (the file may be over 20 MB)')
    return fetch(`${apiRoot}/file/bot${deps.token}/${file.file_path}`)
  }
  const reconnect = deps.reconnect ?? { baseMs: 500, maxMs: 30_000 }
  let ctx: ChannelContext | undefined
  let abort: AbortController | undefined
  let loop: Promise<void> | undefined
  let webhookServer: WebhookServer | undefined

  const health = createHealthState((next) => ctx?.onStatus(next))

  async function handle(update: Update, bot: TelegramBotIdentity) {
    let message: ReturnType<typeof toInboundMessage>
    try {
      message = toInboundMessage(update, bot, deps.assistantName, openFile)
    } catch (err) {
      // A malformed update would fail the same way on every redelivery: skip it, never answer 5xx.
      log.warn('unreadable update skipped', { updateId: update.update_id, error: err })
      return
    }
    // A redelivered event goes on too: the pipeline's persist step drops it by (chat, message id).
    if (!message) return
    try {
      await ctx?.onInbound(message)
    } catch (err) {
      log.error('inbound handler failed', { jid: message.jid, messageId: message.messageId, error: err })
    }
  }

  async function poll(bot: TelegramBotIdentity, signal: AbortSignal) {
    let offset: number | undefined
    let failures = 0
    while (!signal.aborted) {
      try {
        const updates = await api.getUpdates(
          { offset, timeout: deps.pollTimeoutSeconds ?? 30, allowed_updates: ['message'] },
          // grammy types its signal with the abort-controller polyfill; the runtime one is compatible.
          signal as unknown as Parameters<typeof api.getUpdates>[1],
        )
        failures = 0
        health.set({ status: 'connected' })
        for (const update of updates) {
          offset = update.update_id + 1
          await handle(update, bot)
        }
      } catch (err) {
        if (signal.aborted) return
        if (err instanceof GrammyError && err.error_code === 401) {
          health.set({
            status: 'error',
            detail: 'Telegram rejected the bot token (401); check TELEGRAM_BOT_TOKEN',
          })
          return
        }
        const retryAfter =
          err instanceof GrammyError && err.error_code === 429
            ? (err.parameters.retry_after ?? 1) * 1000
            : undefined
        const delayMs = retryAfter ?? backoffDelay(failures++, reconnect)
        health.set({ status: 'connecting', detail: `getUpdates failed: ${errorMessage(err)}` })
        log.warn('polling failed, retrying', { delayMs, error: err })
        await sleep(delayMs, signal).catch(() => undefined)
      }
    }
  }

  return {
    name: 'telegram',
    maxMessageLength: TELEGRAM_MAX_MESSAGE_LENGTH,
    async connect(context) {
      ctx = context
      health.set({ status: 'connecting' })
      let me: Awaited<ReturnType<typeof api.getMe>>
      try {
        me = await api.getMe()
        const bot = { id: me.id, username: me.username }
        if (deps.webhook) {
          // A fresh secret per start: Telegram stores it with the webhook, nothing else needs it.
          const secret = newWebhookSecret()
          webhookServer = startWebhookServer({
            ...deps.webhook,
            secret,
            log,
            onUpdate: (u) => handle(u, bot),
          })
          await api.setWebhook(deps.webhook.url, { secret_token: secret, allowed_updates: ['message'] })
        } else {
          // Long polling and a webhook exclude each other; polling is the default mode.
          await api.deleteWebhook({ drop_pending_updates: false })
        }
      } catch (err) {
        await webhookServer?.stop()
        webhookServer = undefined
        const error = toChannelError(err, 'getMe')
        health.set({ status: 'error', detail: error.message })
        throw error
      }
      log.info('connected', { username: me.username, mode: deps.webhook ? 'webhook' : 'polling' })
      health.set({ status: 'connected' })
      if (deps.webhook) return
      abort = new AbortController()
      loop = poll({ id: me.id, username: me.username }, abort.signal)
    },
    async disconnect() {
      abort?.abort()
      await loop
      loop = undefined
      await webhookServer?.stop()
      webhookServer = undefined
      health.set({ status: 'disconnected' })
    },
    send: (jid, text, opts) => sender.send(jid, text, opts),
    maxUploadBytes: TELEGRAM_MAX_UPLOAD_BYTES,
    sendFile: (jid, file, opts) => sender.sendFile(jid, file, opts),
    async setTyping(jid, on) {
      // Telegram's "typing" lasts ~5 s and cannot be cancelled; the caller refreshes it.
      if (on) await sender.typing(jid)
    },
    health: health.get,
    // No formatMarkdown: HTML would be cut by the fence-aware chunker, which only knows ``` fences.
    // The pipeline chunks the Markdown, and send() converts each chunk to HTML; its visible
    // length is never longer than the Markdown, so the 4096 limit still holds.
  }
}
