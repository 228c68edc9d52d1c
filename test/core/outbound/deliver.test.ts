import { describe, expect, test } from 'bun:test'
import type { Channel } from '../../../src/core/channel/channel.ts'
import { ChannelError } from '../../../src/core/errors.ts'
import type { NgbEvent } from '../../../src/core/events.ts'
import { createEventBus } from '../../../src/core/events.ts'
import { createOutbound } from '../../../src/core/outbound/deliver.ts'
import { createSendQueue } from '../../../src/core/outbound/send-queue.ts'
import { createPluginHost } from '../../../src/plugins/host.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { createManualClock } from '../../fakes/manual-clock.ts'
import { testDb } from '../../helpers/db.ts'

function setup(channel: Channel) {
  const { repos } = testDb()
  const bus = createEventBus()
  const events: NgbEvent[] = []
  bus.on('message.out', (e) => events.push(e))
  const log = createMemoryLogger()
  const waits: number[] = []
  const clock = createManualClock(1_000_000)
  const outbound = createOutbound({
    channelFor: (jid) => (jid.startsWith(`${channel.name}:`) ? channel : undefined),
    plugins: createPluginHost({ log, context: { assistantName: 'Andy', reply: async () => {} } }),
    messages: repos.messages,
    progress: repos.replyProgress,
    sendQueue: createSendQueue({ wait: async (ms) => void waits.push(ms) }),
    bus,
    clock,
    log,
    assistantName: 'Andy',
    typingRefreshMs: 20,
  })
  return { outbound, repos, events, waits, clock }
}

function recordingChannel(opts: { maxMessageLength: number; rateLimitFirst?: boolean }) {
  const sent: string[] = []
  const typing: boolean[] = []
  let calls = 0
  const channel: Channel = {
    name: 'fake',
    maxMessageLength: opts.maxMessageLength,
    async connect() {},
    async disconnect() {},
    async send(_jid, text) {
      calls++
      if (opts.rateLimitFirst && calls === 1)
        throw new ChannelError('429', { retryable: true, retryAfterMs: 700 })
      sent.push(text)
      return { messageId: String(calls) }
    },
    async setTyping(_jid, on) {
      typing.push(on)
    },
    health: () => ({ status: 'connected' }),
    formatMarkdown: (md) => md.replace(/\*\*(.+?)\*\*/g, '*$1*'),
  }
  return { channel, sent, typing }
}

describe('deliver', () => {
  test('strips <internal>, converts the dialect, chunks in order through a rate limit, stores one bot message', async () => {
    const { channel, sent } = recordingChannel({ maxMessageLength: 30, rateLimitFirst: true })
    const { outbound, repos, events, waits } = setup(channel)
    const text = '<internal>plan</internal>**Bold** start\nline two is here\nline three is here\nthe end'
    const r = await outbound.deliver({ chatJid: 'fake:group:1#t9', text, group: 'g' })
    expect(r).toEqual({ sent: true, chunks: 2 })
    expect(waits).toEqual([700])
    expect(sent).toEqual(['*Bold* start\nline two is here', 'line three is here\nthe end'])
    const stored = repos.messages.page('fake:group:1')
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatchObject({ fromBot: true, threadId: 't9', senderName: 'Andy' })
    expect(stored[0]?.text).not.toContain('internal')
    expect(events).toHaveLength(1)
  })

  test('nothing is sent for an all-internal result or a chat without a channel', async () => {
    const { channel, sent } = recordingChannel({ maxMessageLength: 100 })
    const { outbound } = setup(channel)
    expect(await outbound.deliver({ chatJid: 'fake:1', text: '<internal>x</internal>' })).toEqual({
      sent: false,
      reason: 'empty',
    })
    expect(await outbound.deliver({ chatJid: 'other:1', text: 'hi' })).toEqual({
      sent: false,
      reason: 'no_channel',
    })
    expect(sent).toEqual([])
  })

  test('typing is refreshed while the agent works and switched off at the end', async () => {
    const { channel, typing } = recordingChannel({ maxMessageLength: 100 })
    const { outbound, clock } = setup(channel)
    const stop = outbound.startTyping('fake:1')
    clock.advance(70)
    stop()
    stop()
    expect(typing.filter((t) => t).length).toBeGreaterThanOrEqual(3)
    expect(typing.at(-1)).toBe(false)
    expect(typing.filter((t) => !t)).toHaveLength(1)
  })

  test('a failed chunk stops the rest; the retry resumes at the first undelivered chunk', async () => {
    const sent: string[] = []
    let failNext = false
    let calls = 0
    const channel: Channel = {
      ...recordingChannel({ maxMessageLength: 20 }).channel,
      async send(_jid, text) {
        calls++
        if (failNext && sent.length === 1) {
          failNext = false
          throw new ChannelError('gateway down', { retryable: false })
        }
        sent.push(text)
        return { messageId: String(calls) }
      },
    }
    const { outbound, repos } = setup(channel)
    const text = 'first chunk here\nsecond chunk here\nthird chunk here'
    failNext = true
    await expect(outbound.deliver({ chatJid: 'fake:1', text })).rejects.toThrow('gateway down')
    // Nothing after the failed chunk went out, and nothing was stored as delivered.
    expect(sent).toEqual(['first chunk here'])
    expect(repos.messages.page('fake:1')).toHaveLength(0)

    const r = await outbound.deliver({ chatJid: 'fake:1', text })
    expect(r).toEqual({ sent: true, chunks: 3 })
    // Every chunk exactly once, in order.
    expect(sent).toEqual(['first chunk here', 'second chunk here', 'third chunk here'])
    expect(repos.messages.page('fake:1')).toHaveLength(1)

    // Once complete, the same text later is a new reply, sent whole.
    await outbound.deliver({ chatJid: 'fake:1', text })
    expect(sent).toHaveLength(6)
  })
})
