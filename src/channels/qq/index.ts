import type { Channel, ChannelContext } from '../../core/channel/channel.ts'
import type { Logger } from '../../util/log.ts'
import { createHealthState } from '../shared/health.ts'
import { markdownToQq } from './dialect.ts'
import { createGateway } from './gateway.ts'
import { fromDispatch } from './inbound.ts'
import { createQqSender, QQ_WINDOWS, type ReplyWindows } from './outbound.ts'
import { createQqToken } from './token.ts'

export interface QqChannelDeps {
  appId: string
  appSecret: string
  /** OpenAPI base (default https://api.sgroup.qq.com; the sandbox is https://sandbox.api.sgroup.qq.com). */
  apiBase?: string
  /** Token endpoint (default https://bots.qq.com/app/getAppAccessToken). */
  tokenUrl?: string
  assistantName: string
  log: Logger
  /** The platform's reply windows; tests shorten them. */
  windows?: Partial<ReplyWindows>
  reconnectBaseMs?: number
  /** The clock the reply windows are measured with (tests move it). */
  now?: () => number
}

/** No documented limit was found; 4,000 characters keeps a long answer within QQ's 5 replies per message. */
export const QQ_MAX_MESSAGE_LENGTH = 4000

export function createQqChannel(deps: QqChannelDeps): Channel & { heldFor(jid: string): number } {
  const log = deps.log.child({ component: 'qq' })
  const apiBase = (deps.apiBase ?? 'https://api.sgroup.qq.com').replace(/\/+$/, '')
  const token = createQqToken({
    tokenUrl: deps.tokenUrl ?? 'https://bots.qq.com/app/getAppAccessToken',
    appId: deps.appId,
    appSecret: deps.appSecret,
  })
  const sender = createQqSender({
    apiBase,
    token,
    log,
    windows: { ...QQ_WINDOWS, ...deps.windows },
    assistantName: deps.assistantName,
    now: deps.now,
  })
  const health = createHealthState((next) => ctx?.onStatus(next))
  let ctx: ChannelContext | undefined

  const setHealth = health.set

  const gateway = createGateway({
    apiBase,
    token,
    log,
    reconnectBaseMs: deps.reconnectBaseMs,
    onHealth: setHealth,
    async onDispatch(type, data) {
      const message = fromDispatch(type, data, deps.assistantName)
      // A redelivered event goes on too: the pipeline's persist step drops it by (chat, message id).
      if (!message) return
      // The window first: a command answered while the message is handed on already needs it.
      await sender.remember(message.jid, message.messageId, message.isGroup)
      await ctx?.onInbound(message)
    },
  })

  return {
    name: 'qq',
    maxMessageLength: QQ_MAX_MESSAGE_LENGTH,
    async connect(context) {
      ctx = context
      await health.startWith(() => gateway.start())
      if (health.get().status === 'connected') log.info('connected (gateway)')
    },
    async disconnect() {
      await gateway.stop()
      setHealth({ status: 'disconnected' })
    },
    send: (jid, text) => sender.send(jid, text),
    // QQ's C2C input notice is undocumented; the typing refresh is used to watch the reply window.
    async setTyping(jid, on) {
      if (on) await sender.stillWorking(jid)
    },
    health: health.get,
    formatMarkdown: markdownToQq,
    heldFor: (jid) => sender.heldFor(jid),
  }
}
