import { expect, test } from 'bun:test'
import type { Channel } from '../../../src/core/channel/channel.ts'
import { ChannelError } from '../../../src/core/errors.ts'
import { createEventBus } from '../../../src/core/events.ts'
import { createOutbound } from '../../../src/core/outbound/deliver.ts'
import { createSendQueue } from '../../../src/core/outbound/send-queue.ts'
import { createPluginHost } from '../../../src/plugins/host.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { createManualClock } from '../../fakes/manual-clock.ts'
import { testDb } from '../../helpers/db.ts'

test('a platform failing every send trips its circuit: fewer calls, waits for the probe, other chats share it', async () => {
  const { repos } = testDb()
  const clock = createManualClock(1_000_000)
  let calls = 0
  let up = false
  const channel: Channel = {
    name: 'flaky',
    maxMessageLength: 1000,
    async connect() {},
    async disconnect() {},
    async send() {
      calls++
      if (!up) throw new ChannelError('502 bad gateway', { retryable: true })
      return { messageId: String(calls) }
    },
    health: () => ({ status: 'connected' }),
  }
  const waits: number[] = []
  const log = createMemoryLogger()
  const outbound = createOutbound({
    channelFor: () => channel,
    plugins: createPluginHost({ log, context: { assistantName: 'Andy', reply: async () => {} } }),
    messages: repos.messages,
    progress: repos.replyProgress,
    // Waiting advances the clock, so the breaker's reset time passes as it would in real time.
    sendQueue: createSendQueue({
      maxAttempts: 12,
      baseMs: 100,
      maxMs: 1000,
      wait: async (ms) => {
        waits.push(ms)
        clock.advance(ms)
      },
    }),
    bus: createEventBus(),
    clock,
    log,
    assistantName: 'Andy',
  })
  await expect(outbound.deliver({ chatJid: 'flaky:1', text: 'hello' })).rejects.toThrow()
  // 5 real failures open the circuit; after that only one probe per reset period reaches the API.
  expect(calls).toBeLessThan(12)
  expect(calls).toBeGreaterThanOrEqual(5)
  expect(Math.max(...waits)).toBeGreaterThanOrEqual(10_000)
  expect(log.records.some((r) => r.level === 'warn' && String(r.msg).includes('circuit'))).toBe(true)
  // Another chat on the same platform fails fast while the circuit is open: no API call.
  const before = calls
  const other = outbound.deliver({ chatJid: 'flaky:2', text: 'hi' })
  up = true
  await expect(other).resolves.toMatchObject({ sent: true })
  // It waited for the probe instead of calling at once, and the probe closed the circuit.
  expect(calls).toBe(before + 1)
})
