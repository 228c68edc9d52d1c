import { SocketModeClient } from '@slack/socket-mode'
import type { Logger as SlackLogger } from '@slack/web-api'
import { LogLevel, WebClient } from '@slack/web-api'
import type { Channel, ChannelContext, InboundMessage } from '../../core/channel/channel.ts'
import type { Logger } from '../../util/log.ts'
import type { TokenBucketOptions } from '../../util/token-bucket.ts'
import { createTokenBucket } from '../../util/token-bucket.ts'
import { createHealthState } from '../shared/health.ts'
import { markdownToMrkdwn } from './dialect.ts'
import { fromEvent, fromSlashCommand } from './inbound.ts'
import { createSlackSender, toChannelError } from './outbound.ts'

export interface SlackChannelDeps {
  /** Bot token (xoxb-…) for the Web API. */
  botToken: string
  /** App-level token (xapp-…) for Socket Mode. */
  appToken: string
  /** Web API base ending in `/api/` (default https://slack.com/api/); Socket Mode's WS URL comes from it. */
  apiUrl?: string
  assistantName: string
  log: Logger
  /** Per-bot send budget (default about 1 message/s with a burst of 5, chat.postMessage's limit). */
  rateLimit?: Omit<TokenBucketOptions, 'clock'>
  /** Socket Mode ping timeout; it is also the unit of its reconnect delay (default 5000 ms). */
  pingTimeoutMs?: number
}

/** Slack truncates at 40,000 characters; 4,000 keeps each message readable. */
export const SLACK_MAX_MESSAGE_LENGTH = 4000

/** Routes the SDKs' console chatter into our logger (and so through secret masking). */
function slackLogger(log: Logger): SlackLogger {
  let level = LogLevel.WARN
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : String(m))).join(' ')
  return {
    debug: (...msg: unknown[]) => log.debug(text(msg)),
    info: (...msg: unknown[]) => log.debug(text(msg)),
    warn: (...msg: unknown[]) => log.warn(text(msg)),
    error: (...msg: unknown[]) => log.warn(text(msg)),
    setLevel: (l: LogLevel) => {
      level = l
    },
    getLevel: () => level,
    setName: () => {},
  }
}

/** Slack takes files up to 1 GB. */
export const SLACK_MAX_UPLOAD_BYTES = 1024 * 1024 * 1024

export function createSlackChannel(deps: SlackChannelDeps): Channel {
  const log = deps.log.child({ component: 'slack' })
  const logger = slackLogger(log)
  const slackApiUrl = deps.apiUrl
  const web = new WebClient(deps.botToken, {
    slackApiUrl,
    logger,
    // Our send queue owns waiting and retrying, so limits and 5xx come back to it as errors.
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  })
  const socket = new SocketModeClient({
    appToken: deps.appToken,
    logger,
    clientPingTimeout: deps.pingTimeoutMs ?? 5000,
    clientOptions: slackApiUrl ? { slackApiUrl } : {},
  })
  const sender = createSlackSender(
    web,
    createTokenBucket(deps.rateLimit ?? { capacity: 5, refillPerSecond: 1 }),
  )
  /** The bot token goes only to Slack's file host (or the configured API host, for the fakes). */
  const apiOrigin = slackApiUrl ? new URL(slackApiUrl).origin : undefined
  async function openFile(url: string): Promise<Response> {
    const u = new URL(url)
    const slackHost =
      u.protocol === 'https:' && (u.hostname === 'files.slack.com' || u.hostname.endsWith('.slack.com'))
    if (!slackHost && u.origin !== apiOrigin) throw new Error(`refusing to send the bot token to ${u.origin}`)
    return fetch(u, { headers: { authorization: `Bearer ${deps.botToken}` } })
  }
  const names = new Map<string, string>()
  let botUserId = ''
  let ctx: ChannelContext | undefined
  let stopping = false

  const health = createHealthState((next) => ctx?.onStatus(next))

  async function displayName(userId: string): Promise<string> {
    const known = names.get(userId)
    if (known) return known
    try {
      const res = await web.users.info({ user: userId })
      const name = res.user?.profile?.display_name || res.user?.real_name || res.user?.name || userId
      names.set(userId, name)
      return name
    } catch (err) {
      log.debug('users.info failed; using the user id as name', { userId, error: err })
      return userId
    }
  }

  /**
   * Slack announces one post that mentions the app twice, as `message` and as `app_mention`: that
   * is one message, so the second kind is not handed on. A retry of the same kind is a redelivery,
   * which goes on like on every platform: the pipeline's persist step drops it by (chat, message id).
   */
  const kindSeen = new Map<string, string>()
  function isSecondKindOfOnePost(message: InboundMessage, kind: string): boolean {
    const key = `${message.jid.split('#')[0]}\u0000${message.messageId}`
    const first = kindSeen.get(key)
    if (first !== undefined) return first !== kind
    kindSeen.set(key, kind)
    // Both kinds arrive within moments; a short memory is enough.
    if (kindSeen.size > 1000) kindSeen.delete(kindSeen.keys().next().value ?? key)
    return false
  }

  async function deliver(message: InboundMessage) {
    const userId = message.senderJid.slice('slack:user:'.length)
    if (message.senderName === userId) message.senderName = await displayName(userId)
    try {
      await ctx?.onInbound(message)
    } catch (err) {
      log.error('inbound handler failed', { jid: message.jid, messageId: message.messageId, error: err })
    }
  }

  socket.on(
    'slack_event',
    async (args: { ack: (r?: unknown) => Promise<void>; type: string; body: unknown }) => {
      // Ack first: Slack redelivers anything not acked within 3 s, and an agent turn takes longer.
      await args.ack().catch((err: unknown) => log.warn('ack failed', { error: err }))
      const body = args.body as { event?: unknown } | undefined
      const message =
        args.type === 'events_api'
          ? fromEvent(body?.event, { botUserId, assistantName: deps.assistantName, openFile })
          : args.type === 'slash_commands'
            ? fromSlashCommand(body)
            : undefined
      const kind = (body?.event as { type?: unknown } | undefined)?.type
      if (!message) return
      if (args.type === 'events_api' && isSecondKindOfOnePost(message, String(kind))) return
      await deliver(message)
    },
  )
  socket.on('connected', () => health.set({ status: 'connected' }))
  socket.on('reconnecting', () => health.set({ status: 'connecting', detail: 'socket mode reconnecting' }))
  socket.on('disconnected', () => {
    if (!stopping) health.set({ status: 'connecting', detail: 'socket mode connection lost' })
  })

  return {
    name: 'slack',
    maxMessageLength: SLACK_MAX_MESSAGE_LENGTH,
    async connect(context) {
      ctx = context
      stopping = false
      health.set({ status: 'connecting' })
      try {
        const auth = await web.auth.test()
        botUserId = auth.user_id ?? ''
        await socket.start()
      } catch (err) {
        const error = toChannelError(err, 'connect')
        health.set({ status: 'error', detail: error.message })
        throw error
      }
      health.set({ status: 'connected' })
      log.info('connected', { botUserId })
    },
    async disconnect() {
      stopping = true
      await socket.disconnect()
      health.set({ status: 'disconnected' })
    },
    send: (jid, text, opts) => sender.send(jid, text, opts),
    maxUploadBytes: SLACK_MAX_UPLOAD_BYTES,
    sendFile: (jid, file, opts) => sender.sendFile(jid, file, opts),
    // Slack has no typing indicator for bots outside the legacy RTM API, so there is no setTyping.
    health: health.get,
    formatMarkdown: markdownToMrkdwn,
  }
}
