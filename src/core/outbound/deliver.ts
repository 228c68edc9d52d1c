import type { MessagesRepo } from '../../db/repos/messages.ts'
import type { PluginHost } from '../../plugins/host.ts'
import type { PluginContext } from '../../plugins/plugin.ts'
import type { Clock } from '../../util/clock.ts'
import type { Logger } from '../../util/log.ts'
import type { Channel } from '../channel/channel.ts'
import { ChannelError, errorMessage } from '../errors.ts'
import type { EventBus } from '../events.ts'
import { chatOf } from '../jid.ts'
import { stripInternal } from '../prompt.ts'
import { chunkText } from './chunk.ts'
import type { SendQueue } from './send-queue.ts'

export interface DeliveryRequest {
  /** Chat JID, with `#<thread>` to answer in a thread. */
  chatJid: string
  text: string
  group?: string
}

/** `chunks` is reported by the outbound pipeline; other senders (tests, fakes) may leave it out. */
export type DeliveryResult =
  | { sent: true; chunks?: number }
  | { sent: false; reason: 'empty' | 'plugin' | 'no_channel' }

export interface Outbound {
  /** Strip → onBeforeSend → dialect → chunks in order → store as a bot message → message.out. */
  deliver(req: DeliveryRequest): Promise<DeliveryResult>
  /** Shows "typing…" in the chat, refreshed until the returned function is called. */
  startTyping(chatJid: string): () => void
  /** Resolves when every queued send has settled. */
  idle(): Promise<void>
  /** What plugin hooks are handed: their `reply` is this outbound path. */
  pluginContext: PluginContext
}

export interface OutboundDeps {
  channelFor(jid: string): Channel | undefined
  plugins: Pick<PluginHost, 'chain' | 'has'>
  messages: Pick<MessagesRepo, 'insert'>
  sendQueue: SendQueue
  bus: EventBus
  clock: Clock
  log: Logger
  assistantName: string
  /** Platforms drop "typing" after ~5 s; refresh a bit sooner. */
  typingRefreshMs?: number
}

export function createOutbound(deps: OutboundDeps): Outbound {
  const { log } = deps
  let counter = 0

  function store(chatJid: string, text: string, group: string | undefined, messageId?: string) {
    const now = deps.clock.now()
    const hash = chatJid.indexOf('#')
    const stored = deps.messages.insert({
      chatJid: chatOf(chatJid),
      id: messageId ?? `ngb-${now}-${++counter}`,
      senderJid: 'ngb:bot',
      senderName: deps.assistantName,
      text,
      ts: now,
      fromBot: true,
      isGroup: false,
      mentionsBot: false,
      threadId: hash === -1 ? undefined : chatJid.slice(hash + 1),
    })
    if (stored) deps.bus.publish({ type: 'message.out', group, message: stored })
  }

  const outbound: Outbound = {
    async deliver(req) {
      const stripped = stripInternal(req.text)
      if (stripped === '') return { sent: false, reason: 'empty' }
      let text = stripped
      if (deps.plugins.has('onBeforeSend')) {
        const out = await deps.plugins.chain(
          'onBeforeSend',
          { chatJid: req.chatJid, group: req.group, text },
          outbound.pluginContext,
        )
        if (out === null) return { sent: false, reason: 'plugin' }
        text = out.text
      }
      const channel = deps.channelFor(req.chatJid)
      if (!channel) {
        log.error('no channel for this chat; reply not sent', { chatJid: req.chatJid, group: req.group })
        return { sent: false, reason: 'no_channel' }
      }
      const formatted = channel.formatMarkdown ? channel.formatMarkdown(text) : text
      const chunks = chunkText(formatted, channel.maxMessageLength)
      // All chunks are queued at once so nothing else for this chat can slip between them.
      const sends = chunks.map((chunk) =>
        deps.sendQueue.run(req.chatJid, () => channel.send(req.chatJid, chunk)),
      )
      let firstId: string | undefined
      try {
        const results = await Promise.all(sends)
        firstId = results[0]?.messageId
      } catch (error) {
        throw error instanceof ChannelError
          ? error
          : new ChannelError(`sending to ${req.chatJid} failed: ${errorMessage(error)}`, {
              retryable: false,
              cause: error,
            })
      }
      store(req.chatJid, text, req.group, firstId ? `${channel.name}-${firstId}` : undefined)
      return { sent: true, chunks: chunks.length }
    },

    startTyping(chatJid) {
      const channel = deps.channelFor(chatJid)
      const setTyping = channel?.setTyping
      if (!channel || !setTyping) return () => {}
      let stopped = false
      let timer: ReturnType<Clock['setTimeout']> | undefined
      const tick = () => {
        if (stopped) return
        setTyping.call(channel, chatJid, true).catch((error: unknown) => {
          log.debug('typing indicator failed', { chatJid, error: errorMessage(error) })
        })
        timer = deps.clock.setTimeout(tick, deps.typingRefreshMs ?? 4000)
      }
      tick()
      return () => {
        if (stopped) return
        stopped = true
        if (timer) deps.clock.clearTimeout(timer)
        setTyping.call(channel, chatJid, false).catch(() => undefined)
      }
    },

    idle: () => deps.sendQueue.idle(),
    pluginContext: {
      assistantName: deps.assistantName,
      reply: async (chatJid, text) => {
        await outbound.deliver({ chatJid, text })
      },
    },
  }
  return outbound
}
