import * as lark from '@larksuiteoapi/node-sdk'
import type { Channel, ChannelContext } from '../../core/channel/channel.ts'
import type { WebhookRouter } from '../../core/channel/webhooks.ts'
import { ChannelError, errorMessage } from '../../core/errors.ts'
import type { Logger } from '../../util/log.ts'
import { utf8Length } from '../../util/utf8.ts'
import { createHealthState } from '../shared/health.ts'
import { fromReceiveEvent } from './inbound.ts'
import { createNameCache } from './names.ts'
import { formatCard, isTokenInvalid, parseFeishuTarget, toChannelError } from './outbound.ts'
import { createFeishuWebhook } from './webhook.ts'

export interface FeishuChannelDeps {
  appId: string
  appSecret: string
  /** API domain: https://open.feishu.cn (default), https://open.larksuite.com, or a test fake. */
  domain?: string
  assistantName: string
  log: Logger
  /** How long `connect()` waits for the long connection (default 20 s). */
  connectTimeoutMs?: number
  /** Webhook mode: events come to `/hooks/feishu` (encrypted, signed) instead of the long connection. */
  webhook?: { hooks: WebhookRouter; encryptKey: string; verificationToken: string }
}

/**
 * Card payloads are capped at 30 KB; 25,000 bytes of Markdown leaves room for the card wrapper and
 * JSON escaping, so a chunk is never refused for size.
 */
export const FEISHU_MAX_MESSAGE_BYTES = 25_000
/** The reaction that stands in for "typing" (Feishu has no typing API). */
const WORKING_EMOJI = 'OnIt'

/** The SDK's token cache, ours so a token Feishu says is invalid can be dropped before its expiry. */
function createTokenCache() {
  const values = new Map<string, { value: unknown; expiresAt?: number }>()
  const keyOf = (key: unknown, ns?: string) => `${ns ?? ''}/${String(key)}`
  return {
    async set(key: unknown, value: unknown, expiresAt?: number, opts?: { namespace?: string }) {
      values.set(keyOf(key, opts?.namespace), { value, expiresAt })
      return true
    },
    async get(key: unknown, opts?: { namespace?: string }) {
      const hit = values.get(keyOf(key, opts?.namespace))
      return hit && (!hit.expiresAt || hit.expiresAt > Date.now()) ? hit.value : undefined
    },
    clear: () => values.clear(),
  }
}

/** Routes SDK logging into ours; its debug/trace lines echo event payloads, so they are dropped. */
function sdkLogger(log: Logger) {
  const text = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : errorMessage(a))).join(' ')
  return {
    error: (...a: unknown[]) => log.warn(text(a)),
    warn: (...a: unknown[]) => log.warn(text(a)),
    info: (...a: unknown[]) => log.debug(text(a)),
    debug: () => {},
    trace: () => {},
  }
}

interface ApiBody {
  code?: number
  msg?: string
  data?: unknown
}

/** Feishu/Lark: long connection (WSClient) or webhook in, interactive cards with Markdown out. */
export function createFeishuChannel(deps: FeishuChannelDeps): Channel {
  const log = deps.log.child({ component: 'feishu' })
  const logger = sdkLogger(log)
  const cache = createTokenCache()
  const base = { appId: deps.appId, appSecret: deps.appSecret, domain: deps.domain ?? lark.Domain.Feishu }
  const client = new lark.Client({ ...base, cache, logger, loggerLevel: lark.LoggerLevel.warn })
  /** Latest message per chat (for the "typing" reaction) and the reaction currently on it. */
  const lastMessage = new Map<string, string>()
  const reactions = new Map<string, { messageId: string; reactionId: string }>()
  let ws: lark.WSClient | undefined
  let unmount: (() => void) | undefined
  let ctx: ChannelContext | undefined
  const health = createHealthState((next) => ctx?.onStatus(next))
  let botOpenId = ''

  const setHealth = health.set

  /** One API call; a token Feishu rejects is dropped and the call made once more with a fresh one. */
  async function api<T extends ApiBody>(action: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await call()
        if (res.code !== undefined && res.code !== 0) throw res
        return res
      } catch (err) {
        if (attempt === 1 && isTokenInvalid(err)) {
          log.info('tenant token rejected; fetching a new one', { action })
          cache.clear()
          continue
        }
        throw toChannelError(err, action)
      }
    }
  }

  const nameOf = createNameCache(async (openId) => {
    const res = await api('contact user', () =>
      client.request<ApiBody & { data?: { user?: { name?: string } } }>({
        method: 'GET',
        url: `/open-apis/contact/v3/users/${encodeURIComponent(openId)}`,
        params: { user_id_type: 'open_id' },
      }),
    )
    return res.data?.user?.name || undefined
  })

  async function onReceive(data: unknown) {
    const message = fromReceiveEvent(data, { botOpenId, assistantName: deps.assistantName })
    if (!message) return
    // Feishu pushes an event again when the ack is late; the message id stays the same.
    // A redelivered event goes on too: the pipeline's persist step drops it by (chat, message id).
    lastMessage.set(message.jid, message.messageId)
    const openId = message.senderJid.slice('feishu:user:'.length)
    if (message.senderName === openId) message.senderName = await nameOf(openId)
    try {
      await ctx?.onInbound(message)
    } catch (err) {
      log.error('inbound handler failed', { jid: message.jid, messageId: message.messageId, error: err })
    }
  }

  function reconnectingDetail(): string {
    const next = ws?.getConnectionStatus().nextConnectTime
    return next ? `reconnecting, next attempt at ${new Date(next).toISOString()}` : 'reconnecting'
  }

  function startSocket(): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false
      const settle = (error?: Error) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (error) reject(error)
        else resolve()
      }
      const timer = setTimeout(
        () => settle(toChannelError(new Error('no long connection within the time limit'), 'connect')),
        deps.connectTimeoutMs ?? 20_000,
      )
      const socket = new lark.WSClient({
        ...base,
        logger,
        loggerLevel: lark.LoggerLevel.warn,
        onReady: () => {
          setHealth({ status: 'connected' })
          settle()
        },
        onReconnecting: () => setHealth({ status: 'connecting', detail: reconnectingDetail() }),
        onReconnected: () => setHealth({ status: 'connected' }),
        onError: (error: Error) => {
          setHealth({ status: 'error', detail: error.message })
          settle(toChannelError(error, 'long connection'))
        },
      })
      ws = socket
      const dispatcher = new lark.EventDispatcher({ logger, loggerLevel: lark.LoggerLevel.warn }).register({
        'im.message.receive_v1': (data: unknown) => onReceive(data),
      })
      socket
        .start({ eventDispatcher: dispatcher })
        .catch((error: unknown) => settle(toChannelError(error, 'connect')))
    })
  }

  return {
    name: 'feishu',
    maxMessageLength: FEISHU_MAX_MESSAGE_BYTES,
    measureLength: utf8Length,
    async connect(context) {
      ctx = context
      setHealth({ status: 'connecting' })
      try {
        // The SDK's WSClient silently refuses other app ids, which would look like a hang.
        if (!/^cli_[0-9a-fA-F]{16}$/.test(deps.appId))
          throw new ChannelError(`FEISHU_APP_ID "${deps.appId}" is not an app id (cli_ and 16 hex digits)`, {
            retryable: false,
          })
        // Fetches the tenant token too, so wrong credentials fail here with Feishu's own message.
        const info = await api('bot info (check FEISHU_APP_ID and FEISHU_APP_SECRET)', () =>
          client.request<ApiBody & { bot?: { open_id?: string } }>({
            method: 'GET',
            url: '/open-apis/bot/v3/info',
          }),
        )
        botOpenId = info.bot?.open_id ?? ''
        const webhook = deps.webhook
        if (webhook && !(webhook.encryptKey && webhook.verificationToken))
          throw new ChannelError(
            'Feishu webhook mode needs FEISHU_ENCRYPT_KEY and FEISHU_VERIFICATION_TOKEN (the event subscription keys)',
            { retryable: false },
          )
        if (webhook) {
          unmount ??= webhook.hooks.mount('feishu', createFeishuWebhook(webhook, onReceive))
          setHealth({ status: 'connected' })
        } else await startSocket()
      } catch (err) {
        const error = err instanceof ChannelError ? err : toChannelError(err, 'connect')
        setHealth({ status: 'error', detail: error.message })
        throw error
      }
      log.info('connected', {
        botOpenId,
        inbound: deps.webhook ? 'webhook /hooks/feishu' : 'long connection',
      })
    },
    async disconnect() {
      ws?.close({ force: true })
      ws = undefined
      unmount?.()
      unmount = undefined
      setHealth({ status: 'disconnected' })
    },
    async send(jid, text) {
      const target = parseFeishuTarget(jid)
      const content = formatCard(text)
      const res = target.rootId
        ? await api('message reply', () =>
            client.im.v1.message.reply({
              path: { message_id: target.rootId ?? '' },
              data: { msg_type: 'interactive', content, reply_in_thread: true },
            }),
          )
        : await api('message create', () =>
            client.im.v1.message.create({
              params: { receive_id_type: target.receiveIdType },
              data: { receive_id: target.receiveId, msg_type: 'interactive', content },
            }),
          )
      return { messageId: res.data?.message_id }
    },
    async setTyping(jid, on) {
      const current = reactions.get(jid)
      const messageId = lastMessage.get(jid)
      if (on) {
        if (!messageId || current?.messageId === messageId) return
        const res = await api('typing reaction', () =>
          client.im.v1.messageReaction.create({
            path: { message_id: messageId },
            data: { reaction_type: { emoji_type: WORKING_EMOJI } },
          }),
        )
        const reactionId = res.data?.reaction_id
        if (reactionId) reactions.set(jid, { messageId, reactionId })
        return
      }
      if (!current) return
      reactions.delete(jid)
      await api('typing reaction removal', () =>
        client.im.v1.messageReaction.delete({
          path: { message_id: current.messageId, reaction_id: current.reactionId },
        }),
      )
    },
    health: health.get,
  }
}
