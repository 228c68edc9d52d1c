import { expect, test } from 'bun:test'
import type { Channel } from '../../../src/core/channel/channel.ts'
import type { NgbEvent } from '../../../src/core/events.ts'
import { createEventBus } from '../../../src/core/events.ts'
import { createOutbound } from '../../../src/core/outbound/deliver.ts'
import { createSendQueue } from '../../../src/core/outbound/send-queue.ts'
import { createPluginHost } from '../../../src/plugins/host.ts'
import { systemClock } from '../../../src/util/clock.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { testDb } from '../../helpers/db.ts'

test('output of a group deleted while its reply waits in the send queue is dropped, not sent', async () => {
  const { repos } = testDb()
  const bus = createEventBus()
  const out: NgbEvent[] = []
  bus.on('message.out', (e) => out.push(e))
  const log = createMemoryLogger()
  const sent: string[] = []
  let release: () => void = () => {}
  const gate = new Promise<void>((r) => {
    release = r
  })
  const channel: Channel = {
    name: 'fake',
    maxMessageLength: 10,
    async connect() {},
    async disconnect() {},
    async send(_jid, text) {
      // The first send is slow (a rate limit), so the next reply waits behind it in the chat's queue.
      if (sent.length === 0) await gate
      sent.push(text)
      return { messageId: String(sent.length) }
    },
    health: () => ({ status: 'connected' }),
  }
  const live = new Set(['keep', 'doomed'])
  const outbound = createOutbound({
    channelFor: () => channel,
    plugins: createPluginHost({ log, context: { assistantName: 'Andy', reply: async () => {} } }),
    messages: repos.messages,
    progress: repos.replyProgress,
    sendQueue: createSendQueue({}),
    bus,
    clock: systemClock,
    log,
    assistantName: 'Andy',
    groupExists: (f) => live.has(f),
  })
  const first = outbound.deliver({ chatJid: 'fake:1', text: 'keep me', group: 'keep' })
  const second = outbound.deliver({ chatJid: 'fake:1', text: 'a reply in three chunks!', group: 'doomed' })
  live.delete('doomed')
  release()
  expect(await first).toEqual({ sent: true, chunks: 1 })
  expect(await second).toEqual({ sent: false, reason: 'group_removed' })
  expect(sent).toEqual(['keep me'])
  expect(await outbound.deliver({ chatJid: 'fake:1', text: 'later', group: 'doomed' })).toEqual({
    sent: false,
    reason: 'group_removed',
  })
  expect(out.map((e) => e.type === 'message.out' && e.message.text)).toEqual(['keep me'])
})
