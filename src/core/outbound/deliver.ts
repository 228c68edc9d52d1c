import type { MessagesRepo } from '../../db/repos/messages.ts'
import type { ReplyProgressRepo } from '../../db/repos/reply-progress.ts'
import type { PluginHost } from '../../plugins/host.ts'
import { type CircuitBreaker, CircuitOpenError, createCircuitBreaker } from '../../util/circuit-breaker.ts'
import type { Clock } from '../../util/clock.ts'
import type { Logger } from '../../util/log.ts'
import type { Channel } from '../channel/channel.ts'
import { ChannelError, errorMessage } from '../errors.ts'
import type { EventBus } from '../events.ts'
import { chatOf } from '../jid.ts'
import { stripInternal } from '../prompt.ts'
import { chunkText, chunkToFit } from './chunk.ts'
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
  | { sent: false; reason: 'empty' | 'plugin' | 'no_channel' | 'group_removed' }

export interface Outbound {
  /** Strip → onBeforeSend → dialect → chunks in order → store as a bot message → message.out. */
  deliver(req: DeliveryRequest): Promise<DeliveryResult>
  /** Shows "typing…" in the chat, refreshed until the returned function is called. */
  startTyping(chatJid: string): () => void
  /** Resolves when every queued send has settled. */
  idle(): Promise<void>
}

export interface OutboundDeps {
  channelFor(jid: string): Channel | undefined
  plugins: Pick<PluginHost, 'chain' | 'has'>
  messages: Pick<MessagesRepo, 'insert'>
  /** Delivery progress of partial replies, so a retried reply resumes instead of repeating. */
  progress: Pick<ReplyProgressRepo, 'sent' | 'record' | 'clear'>
  sendQueue: SendQueue
  bus: EventBus
  clock: Clock
  log: Logger
  assistantName: string
  /**
   * Whether the group a reply belongs to still exists: a deleted group's queued output is dropped
   * (checked again right before each chunk is sent, since sends wait in the per-chat queue).
   */
  groupExists?: (folder: string) => boolean
  /** The per-platform circuit (defaults: open after 5 failed sends in a row, probe every 30 s). */
  breaker?: { failureThreshold?: number; resetAfterMs?: number }
  /** Platforms drop "typing" after ~5 s; refresh a bit sooner. */
  typingRefreshMs?: number
}

/** A partial delivery older than this is forgotten: the same text then is a new reply. */
const PROGRESS_TTL_MS = 24 * 3_600_000

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

  /**
   * One circuit per platform, shared by all its chats: when its API fails every send (an outage),
   * sends wait for one probe per reset period instead of each chat retrying against it. Only
   * retryable failures count: "no such chat" is an answer from a working API.
   */
  const breakers = new Map<string, CircuitBreaker>()
  async function sendThroughBreaker(channel: Channel, chatJid: string, chunk: string) {
    let breaker = breakers.get(channel.name)
    if (!breaker) {
      breaker = createCircuitBreaker({
        failureThreshold: deps.breaker?.failureThreshold ?? 5,
        resetAfterMs: deps.breaker?.resetAfterMs ?? 30_000,
        clock: deps.clock,
        isFailure: (error) => !(error instanceof ChannelError && !error.retryable),
      })
      breakers.set(channel.name, breaker)
    }
    const wasOpen = breaker.state !== 'closed'
    try {
      return await breaker.run(() => channel.send(chatJid, chunk))
    } catch (error) {
      if (error instanceof CircuitOpenError)
        throw new ChannelError(
          `${channel.name} failed its last sends; the next try is in ${Math.ceil(error.retryAfterMs / 1000)} s`,
          { retryable: true, retryAfterMs: Math.max(1, error.retryAfterMs), cause: error },
        )
      if (!wasOpen && breaker.state === 'open')
        log.warn('channel circuit open: its sends keep failing; trying again once per reset period', {
          channel: channel.name,
          error: errorMessage(error),
        })
      throw error
    }
  }

  const outbound: Outbound = {
    async deliver(req) {
      const removed = () => req.group !== undefined && deps.groupExists?.(req.group) === false
      if (removed()) return { sent: false, reason: 'group_removed' }
      const stripped = stripInternal(req.text)
      if (stripped === '') return { sent: false, reason: 'empty' }
      let text = stripped
      if (deps.plugins.has('onBeforeSend')) {
        const out = await deps.plugins.chain('onBeforeSend', { chatJid: req.chatJid, group: req.group, text })
        if (out === null) return { sent: false, reason: 'plugin' }
        text = out.text
      }
      const channel = deps.channelFor(req.chatJid)
      if (!channel) {
        log.error('no channel for this chat; reply not sent', { chatJid: req.chatJid, group: req.group })
        return { sent: false, reason: 'no_channel' }
      }
      const formatted = channel.formatMarkdown ? channel.formatMarkdown(text) : text
      const measure = channel.measureLength
      const chunks = measure
        ? chunkToFit(formatted, channel.maxMessageLength, (s) => measure.call(channel, s))
        : chunkText(formatted, channel.maxMessageLength)
      const hash = new Bun.CryptoHasher('sha256').update(formatted).digest('hex')
      // A retry of a reply that failed part-way starts after the chunks the chat already has.
      const done = Math.min(
        deps.progress.sent(req.chatJid, hash, deps.clock.now() - PROGRESS_TTL_MS) ?? 0,
        chunks.length,
      )
      if (done > 0) log.info('resuming a partly delivered reply', { chatJid: req.chatJid, from: done })
      let delivered = done
      // One slot of the chat's queue: nothing else for this chat slips between the chunks, and a chunk
      // that fails stops the rest (the user must never get a reply with a hole in it).
      const steps = chunks.slice(done).map((chunk) => async () => {
        // Checked again at send time: a deleted group's reply may have waited in the chat's queue.
        if (removed()) return undefined
        const r = await sendThroughBreaker(channel, req.chatJid, chunk)
        delivered++
        if (delivered < chunks.length)
          deps.progress.record(req.chatJid, hash, delivered, chunks.length, deps.clock.now())
        return r
      })
      let firstId: string | undefined
      try {
        const results = await deps.sendQueue.series(req.chatJid, steps)
        if (results.some((r) => r === undefined)) {
          log.info('reply dropped: its group was deleted', { group: req.group, chatJid: req.chatJid })
          return { sent: false, reason: 'group_removed' }
        }
        firstId = results[0]?.messageId
        if (chunks.length > 1) deps.progress.clear(req.chatJid, hash)
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
  }
  return outbound
}
