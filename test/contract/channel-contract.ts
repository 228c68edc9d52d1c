import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Channel, ChannelHealth, InboundMessage } from '../../src/core/channel/channel.ts'
import { ChannelError } from '../../src/core/errors.ts'
import { createEventBus } from '../../src/core/events.ts'
import { parseJid } from '../../src/core/jid.ts'
import { createOutbound, type Outbound } from '../../src/core/outbound/deliver.ts'
import { createSendQueue } from '../../src/core/outbound/send-queue.ts'
import { createPluginHost } from '../../src/plugins/host.ts'
import { systemClock } from '../../src/util/clock.ts'
import { createMemoryLogger } from '../../src/util/log.ts'
import type { FailureKind, Recorder } from '../fakes/recorder.ts'
import { createRecorder } from '../fakes/recorder.ts'
import { expectSplitCorrectly, longReply } from './long-reply.ts'

/**
 * One conformance suite for every chat platform: each platform's test hands it an adapter wired to
 * that platform's wire fake. A platform that cannot do something skips the case by name, with why.
 */
export interface ContractHarness {
  channel: Channel
  assistantName: string
  dmJid: string
  groupJid: string
  /** Each returns the platform message id of the injected message. */
  injectDm(text: string): string
  injectGroup(text: string, opts: { mention: boolean }): string
  /** Delivers the platform event of `messageId` again, the way the platform would redeliver it. */
  redeliver(messageId: string): void | Promise<void>
  /** Successful outbound messages to `jid`, in the order the platform accepted them. */
  sent(jid: string): string[]
  /** Every send attempt to `jid`, accepted or refused, in order. */
  attempts(jid: string): { text: string; ok: boolean; at: number }[]
  /** The lines inside code blocks of one sent message, unescaped. */
  codeLines(wireText: string): string[]
  /** Code blocks open and close within the message. */
  fencesBalanced(wireText: string): boolean
  /** Length of a sent message in the unit the platform limits. */
  visibleLength(wireText: string): number
  /** Resolves when `count` messages to `jid` were accepted. */
  waitForSent(jid: string, count: number, timeoutMs?: number): Promise<string[]>
  failNextSend(failure: FailureKind): void
  /** Breaks the inbound connection the way the network or the platform would. */
  dropConnection(): Promise<void>
  /** Resolves when a typing indicator reached the platform for `jid`; absent where there is none. */
  waitForTyping?: (jid: string) => Promise<void>
  /** A thread (topic, thread channel, thread_ts) inside the group chat, and a mention sent there. */
  threadJid: string
  injectThreadMention(text: string): string
  /** A second direct chat (another user), for tests that need a chat nobody bound. */
  otherDmJid: string
  injectOtherDm(text: string): string
  /** The environment that points `ngb serve` at this fake. */
  serveEnv: Record<string, string>
  /** Platforms with expiring access tokens: the tokens issued so far stop working (and replies must need one). */
  expireTokens?: () => void
  /** Webhook platforms: `ngb serve` listens at `dashboardUrl`; the fake posts to its /hooks/<platform>. */
  attachServe?: (dashboardUrl: string) => void
  stop(): Promise<void>
}

export type ContractCase =
  | 'connects'
  | 'inbound dm'
  | 'inbound group mention'
  | 'inbound group without mention'
  | 'send'
  | 'long message'
  | 'rate limit retried in order'
  | 'rate limit error'
  | 'server error'
  | 'redelivery keeps its key'
  | 'dropped connection'
  | 'typing'

export interface ContractOptions {
  /** Cases this platform cannot pass, each with the reason (shown in the test name). */
  skip?: Partial<Record<ContractCase, string>>
  /** The fake's retry-after unit: Telegram and Slack speak whole seconds. */
  retryAfterSeconds?: number
  /**
   * The bot may only answer a recent user message, a few times (QQ's passive replies): each
   * sending case then starts with the user writing in that chat.
   */
  passiveReplies?: boolean
}

export function channelContract(
  platform: string,
  makeHarness: () => Promise<ContractHarness>,
  opts: ContractOptions = {},
) {
  describe(`channel contract: ${platform}`, () => {
    let h: ContractHarness
    const inbound: Recorder<InboundMessage> = createRecorder()
    const statuses: ChannelHealth[] = []

    beforeAll(async () => {
      h = await makeHarness()
      await h.channel.connect({
        onInbound: (m) => inbound.record(m),
        onStatus: (s) => statuses.push(s),
      })
    })
    afterAll(async () => {
      await h.channel.disconnect()
      await h.stop()
    })

    const it = (name: ContractCase, fn: () => Promise<void>) => {
      const reason = opts.skip?.[name]
      if (reason) test.skip(`${name} (skipped: ${reason})`, fn)
      else test(name, fn, 20_000)
    }
    const nextInbound = (pred: (m: InboundMessage) => boolean) =>
      inbound.waitFor(pred, 10_000, 'an inbound message')

    async function userWritesIn(jid: string) {
      if (!opts.passiveReplies) return
      const id =
        jid === h.groupJid ? h.injectGroup('over to you', { mention: true }) : h.injectDm('over to you')
      await nextInbound((x) => x.messageId === id)
    }

    /** Health is a polled state, not an event of the interface, so this polls with a deadline. */
    async function healthBecomes(status: ChannelHealth['status']) {
      const deadline = Date.now() + 10_000
      while (h.channel.health().status !== status && Date.now() < deadline) await Bun.sleep(10)
      expect(h.channel.health().status).toBe(status)
    }

    it('connects', async () => {
      await healthBecomes('connected')
      expect(statuses.some((s) => s.status === 'connected')).toBe(true)
      // The registry routes a reply by the JID's platform: the adapter's JIDs must name it.
      expect(parseJid(h.dmJid).platform).toBe(h.channel.name)
      expect(parseJid(h.groupJid).platform).toBe(h.channel.name)
    })

    it('inbound dm', async () => {
      const id = h.injectDm('hello from a dm')
      const m = await nextInbound((x) => x.messageId === id)
      expect(m).toMatchObject({ jid: h.dmJid, text: 'hello from a dm', isGroup: false })
      expect(m.senderName.length).toBeGreaterThan(0)
      expect(m.senderJid.startsWith(`${platform}:`)).toBe(true)
    })

    it('inbound group mention', async () => {
      const id = h.injectGroup('what time is it?', { mention: true })
      const m = await nextInbound((x) => x.messageId === id)
      expect(m).toMatchObject({ jid: h.groupJid, isGroup: true, mentionsBot: true })
      expect(m.text).toContain(`@${h.assistantName}`)
      expect(m.text).toContain('what time is it?')
    })

    it('inbound group without mention', async () => {
      const id = h.injectGroup('just chatting among humans', { mention: false })
      const m = await nextInbound((x) => x.messageId === id)
      expect(m).toMatchObject({
        jid: h.groupJid,
        isGroup: true,
        mentionsBot: false,
        text: 'just chatting among humans',
      })
    })

    it('send', async () => {
      await userWritesIn(h.groupJid)
      const before = h.sent(h.groupJid).length
      const format = h.channel.formatMarkdown ?? ((s: string) => s)
      const r = await h.channel.send(h.groupJid, format('the answer is **42**'))
      const sent = await h.waitForSent(h.groupJid, before + 1)
      expect(sent.at(-1)).toContain('42')
      expect(r.messageId).toBeDefined()
    })

    /** The real delivery path: dialect → shared chunker → per-chat send queue → channel.send. */
    function outbound(): Outbound {
      const log = createMemoryLogger()
      return createOutbound({
        channelFor: () => h.channel,
        plugins: createPluginHost({ log, context: { assistantName: 'Andy', reply: async () => {} } }),
        messages: { insert: () => undefined },
        // Each contract case sends fresh text: resuming is covered in test/core/outbound/deliver.test.ts.
        progress: { sent: () => undefined, record: () => {}, clear: () => {} },
        sendQueue: createSendQueue({ baseMs: 50, maxMs: 500 }),
        bus: createEventBus(),
        clock: systemClock,
        log,
        assistantName: h.assistantName,
      })
    }

    it('long message', async () => {
      const { markdown } = longReply()
      expect(markdown.length).toBeGreaterThan(9000)
      await userWritesIn(h.dmJid)
      const before = h.sent(h.dmJid).length
      const r = await outbound().deliver({ chatJid: h.dmJid, text: markdown })
      const chunks = h.sent(h.dmJid).slice(before)
      expect(r).toEqual({ sent: true, chunks: chunks.length })
      expectSplitCorrectly(h, chunks)
    })

    it('rate limit retried in order', async () => {
      const seconds = opts.retryAfterSeconds ?? 1
      const parts = [1, 2, 3].map(
        (n) => `Part ${n} ${'word '.repeat(Math.floor(h.channel.maxMessageLength / 5) - 4)}`,
      )
      await userWritesIn(h.dmJid)
      const before = h.attempts(h.dmJid).length
      h.failNextSend({ kind: 'rate_limit', retryAfterSeconds: seconds })
      await outbound().deliver({ chatJid: h.dmJid, text: parts.join('\n\n') })
      const attempts = h.attempts(h.dmJid).slice(before)
      const label = (t: string) => /Part (\d)/.exec(t)?.[1]
      expect(attempts.map((a) => [label(a.text), a.ok])).toEqual([
        ['1', false],
        ['1', true],
        ['2', true],
        ['3', true],
      ])
      const [refused, retried] = attempts
      expect((retried?.at ?? 0) - (refused?.at ?? 0)).toBeGreaterThanOrEqual(seconds * 1000 - 50)
    })

    it('rate limit error', async () => {
      const seconds = opts.retryAfterSeconds ?? 1
      await userWritesIn(h.dmJid)
      h.failNextSend({ kind: 'rate_limit', retryAfterSeconds: seconds })
      const err = await h.channel.send(h.dmJid, 'limited').catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ChannelError)
      expect(err).toMatchObject({ retryable: true })
      expect((err as ChannelError).retryAfterMs).toBeGreaterThanOrEqual(seconds * 1000)
      await h.channel.send(h.dmJid, 'after the limit')
      expect(h.sent(h.dmJid).at(-1)).toContain('after the limit')
    })

    it('server error', async () => {
      await userWritesIn(h.dmJid)
      h.failNextSend({ kind: 'server_error' })
      const err = await h.channel.send(h.dmJid, 'server broke').catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ChannelError)
      expect(err).toMatchObject({ retryable: true })
    })

    it('redelivery keeps its key', async () => {
      const id = h.injectDm('only once please')
      await nextInbound((x) => x.messageId === id)
      await h.redeliver(id)
      // Dedupe is one step of the pipeline (the message insert, keyed by chat and message id), so the
      // adapter must hand a redelivered event on with exactly the key it had the first time.
      const both = await inbound.waitForCount((x) => x.messageId === id, 2, 10_000)
      expect(both.map((x) => x.jid)).toEqual([h.dmJid, h.dmJid])
    })

    it('dropped connection', async () => {
      const before = statuses.length
      await h.dropConnection()
      const id = h.injectDm('are you still there?')
      const m = await nextInbound((x) => x.messageId === id)
      expect(m.text).toBe('are you still there?')
      expect(statuses.slice(before).some((s) => s.status !== 'connected')).toBe(true)
      await healthBecomes('connected')
    })

    it('typing', async () => {
      if (!h.waitForTyping || !h.channel.setTyping) throw new Error('this platform has no typing indicator')
      await h.channel.setTyping(h.dmJid, true)
      await h.waitForTyping(h.dmJid)
    })
  })
}
