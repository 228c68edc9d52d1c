import type { Channel, ChannelContext } from '../../core/channel/channel.ts'
import type { Logger } from '../../util/log.ts'
import type { TokenBucketOptions } from '../../util/token-bucket.ts'
import { createTokenBucket } from '../../util/token-bucket.ts'
import { createHealthState } from '../shared/health.ts'
import { markdownToDingTalk } from './dialect.ts'
import { fromRobotMessage } from './inbound.ts'
import { createAccessToken, createDingTalkSender } from './outbound.ts'
import { createStreamClient } from './stream.ts'

export interface DingTalkChannelDeps {
  /** The app's AppKey (Client ID); also the robot code of the app's robot. */
  clientId: string
  /** The app's AppSecret (Client Secret). */
  clientSecret: string
  /** API base (default https://api.dingtalk.com): gateway, token and robot APIs. */
  apiBase?: string
  assistantName: string
  log: Logger
  /** Send budget per robot (default a burst of 20, then 20 per minute: DingTalk's documented robot limit). */
  rateLimit?: Omit<TokenBucketOptions, 'clock'>
  reconnectBaseMs?: number
}

/** No documented limit was found; 4,000 characters stays clear of what clients render well. */
export const DINGTALK_MAX_MESSAGE_LENGTH = 4000

export function createDingTalkChannel(deps: DingTalkChannelDeps): Channel {
  const log = deps.log.child({ component: 'dingtalk' })
  const apiBase = (deps.apiBase ?? 'https://api.dingtalk.com').replace(/\/+$/, '')
  const token = createAccessToken({ apiBase, clientId: deps.clientId, clientSecret: deps.clientSecret })
  const sender = createDingTalkSender({
    apiBase,
    clientId: deps.clientId,
    token,
    bucket: createTokenBucket(deps.rateLimit ?? { capacity: 20, refillPerSecond: 20 / 60 }),
  })
  const health = createHealthState((next) => ctx?.onStatus(next))
  let ctx: ChannelContext | undefined

  const setHealth = health.set

  const stream = createStreamClient({
    apiBase,
    clientId: deps.clientId,
    clientSecret: deps.clientSecret,
    log,
    reconnectBaseMs: deps.reconnectBaseMs,
    onHealth: setHealth,
    async onCallback(data) {
      const parsed = fromRobotMessage(data, deps.assistantName)
      if (!parsed) return
      const { message, raw } = parsed
      // A callback not acked in time comes again with the same msgId: answer it once.
      // A redelivered event goes on too: the pipeline's persist step drops it by (chat, message id).
      if (raw.sessionWebhook && raw.sessionWebhookExpiredTime) {
        sender.rememberSession(
          message.jid,
          { url: raw.sessionWebhook, expiresAt: raw.sessionWebhookExpiredTime },
          raw.robotCode,
        )
      }
      await ctx?.onInbound(message)
    },
  })

  return {
    name: 'dingtalk',
    maxMessageLength: DINGTALK_MAX_MESSAGE_LENGTH,
    async connect(context) {
      ctx = context
      await health.startWith(() => stream.start())
      if (health.get().status === 'connected') log.info('connected (stream mode)')
    },
    async disconnect() {
      await stream.stop()
      setHealth({ status: 'disconnected' })
    },
    send: (jid, text) => sender.send(jid, text),
    // DingTalk has no typing indicator for robots (AI cards could stream; not used yet).
    health: health.get,
    formatMarkdown: markdownToDingTalk,
  }
}
