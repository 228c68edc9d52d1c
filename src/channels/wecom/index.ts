import { WSClient, type WsFrame, type WsFrameHeaders } from '@wecom/aibot-node-sdk'
import type { Channel, ChannelContext } from '../../core/channel/channel.ts'
import { errorMessage } from '../../core/errors.ts'
import type { Logger } from '../../util/log.ts'
import { utf8Length } from '../../util/utf8.ts'
import { createHealthState } from '../shared/health.ts'
import { fromCallback } from './inbound.ts'
import { parseWecomTarget, toChannelError, WECOM_MAX_MESSAGE_BYTES } from './outbound.ts'

export interface WecomChannelDeps {
  botId: string
  secret: string
  /** Long-connection URL (default wss://openws.work.weixin.qq.com). */
  wsUrl?: string
  assistantName: string
  log: Logger
  /** Base of the SDK's exponential reconnect delay (default 1000 ms). */
  reconnectIntervalMs?: number
  /** How long `connect()` waits for the subscription to be accepted (default 15 s). */
  connectTimeoutMs?: number
  clock?: { now(): number }
}

/**
 * A callback's req_id is used to answer in place (the stream bubble under the user's message). WeCom
 * does not document how long it stays valid; past this we send proactively (aibot_send_msg).
 */
export const REPLY_WINDOW_MS = 5 * 60_000
/** Shown in the stream bubble while the agent works; the first reply chunk replaces it. */
const WORKING = '…'

interface OpenReply {
  frame: WsFrameHeaders
  receivedAt: number
  /** Set once the typing bubble was opened: the reply finishes that same stream. */
  streamId?: string
}

/** The SDK logs through this; its debug lines echo frames, so they stay out of our logs. */
function sdkLogger(log: Logger) {
  const text = (msg: string, args: unknown[]) => [msg, ...args.map((a) => errorMessage(a))].join(' ')
  return {
    debug: () => {},
    info: (msg: string, ...args: unknown[]) => log.debug(text(msg, args)),
    warn: (msg: string, ...args: unknown[]) => log.warn(text(msg, args)),
    error: (msg: string, ...args: unknown[]) => log.warn(text(msg, args)),
  }
}

/** WeCom AI bot over its long connection: groups (@-mention) and single chats, streamed replies. */
export function createWecomChannel(deps: WecomChannelDeps): Channel {
  const log = deps.log.child({ component: 'wecom' })
  const clock = deps.clock ?? Date
  const open = new Map<string, OpenReply>()
  let client: WSClient | undefined
  let ctx: ChannelContext | undefined
  const health = createHealthState((next) => ctx?.onStatus(next))
  let stopping = false

  const setHealth = health.set

  /** The unexpired callback of `jid` to answer in place, if any. */
  function openReply(jid: string): OpenReply | undefined {
    const r = open.get(jid)
    if (r && clock.now() - r.receivedAt > REPLY_WINDOW_MS) open.delete(jid)
    return open.get(jid)
  }

  async function onMessage(frame: WsFrame) {
    const message = fromCallback(frame.body, { assistantName: deps.assistantName })
    if (!message) {
      log.debug('callback without text ignored', { msgtype: String(frame.body?.msgtype ?? '') })
      return
    }
    // WeCom calls again when it saw no answer in time; the msgid stays the same.
    // A redelivered event goes on too: the pipeline's persist step drops it by (chat, message id).
    open.set(message.jid, { frame: { headers: frame.headers }, receivedAt: clock.now() })
    try {
      await ctx?.onInbound(message)
    } catch (err) {
      log.error('inbound handler failed', { jid: message.jid, messageId: message.messageId, error: err })
    }
  }

  function build(): WSClient {
    const c = new WSClient({
      botId: deps.botId,
      secret: deps.secret,
      wsUrl: deps.wsUrl,
      reconnectInterval: deps.reconnectIntervalMs ?? 1000,
      // A daemon keeps trying; bad credentials stop after the SDK's own limit and show as an error.
      maxReconnectAttempts: -1,
      logger: sdkLogger(log),
    })
    c.on('message', (frame) => void onMessage(frame))
    c.on('authenticated', () => setHealth({ status: 'connected' }))
    c.on('disconnected', (reason) => {
      if (!stopping) setHealth({ status: 'connecting', detail: `connection lost (${reason})` })
    })
    c.on('reconnecting', (attempt) => {
      if (!stopping) setHealth({ status: 'connecting', detail: `reconnecting, attempt ${attempt}` })
    })
    c.on('error', (error) => {
      const bad = /Authentication failed/i.test(error.message)
      log.warn(bad ? 'WeCom refused the bot id or secret' : 'WeCom connection error', {
        error: error.message,
      })
      if (bad) setHealth({ status: 'error', detail: `bad credentials: ${error.message}` })
    })
    return c
  }

  function waitConnected(c: WSClient): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup()
        reject(toChannelError(new Error('no answer to the subscription'), 'connect'))
      }, deps.connectTimeoutMs ?? 15_000)
      const onAuth = () => {
        cleanup()
        resolve()
      }
      const onError = (error: Error) => {
        if (!/Authentication failed/i.test(error.message)) return
        cleanup()
        reject(toChannelError(error, 'connect (check WECOM_BOT_ID and WECOM_BOT_SECRET)'))
      }
      const cleanup = () => {
        clearTimeout(timer)
        c.off('authenticated', onAuth)
        c.off('error', onError)
      }
      c.on('authenticated', onAuth)
      c.on('error', onError)
    })
  }

  return {
    name: 'wecom',
    maxMessageLength: WECOM_MAX_MESSAGE_BYTES,
    measureLength: utf8Length,
    async connect(context) {
      ctx = context
      stopping = false
      setHealth({ status: 'connecting' })
      const c = build()
      client = c
      const ready = waitConnected(c)
      c.connect()
      await ready
      log.info('connected')
    },
    async disconnect() {
      stopping = true
      client?.disconnect()
      client = undefined
      setHealth({ status: 'disconnected' })
    },
    async send(jid, text) {
      const target = parseWecomTarget(jid)
      const c = client
      if (!c) throw toChannelError(new Error('not connected'), 'send')
      const reply = openReply(jid)
      try {
        if (reply) {
          // Answer in place: finish the bubble under the user's message (the typing one if open).
          const streamId = reply.streamId ?? crypto.randomUUID()
          await c.replyStream(reply.frame, streamId, text, true)
          open.delete(jid)
          return { messageId: streamId }
        }
        const ack = await c.sendMessage(target.chatid, { msgtype: 'markdown', markdown: { content: text } })
        return { messageId: ack.headers.req_id }
      } catch (err) {
        throw toChannelError(err, reply ? 'aibot_respond_msg' : 'aibot_send_msg')
      }
    },
    async setTyping(jid, on) {
      // The "typing" indicator is the reply's own stream bubble, opened once and finished by the reply.
      const reply = openReply(jid)
      if (!on || !reply || reply.streamId || !client) return
      reply.streamId = crypto.randomUUID()
      try {
        await client.replyStream(reply.frame, reply.streamId, WORKING, false)
      } catch (err) {
        throw toChannelError(err, 'aibot_respond_msg (typing)')
      }
    },
    health: health.get,
  }
}
