import { describe, expect, test } from 'bun:test'
import { createWebChannel } from '../../../src/channels/web/index.ts'
import type { Channel, ChannelContext, ChannelHealth } from '../../../src/core/channel/channel.ts'
import { createChannelRegistry } from '../../../src/core/channel/registry.ts'
import type { NgbEvent } from '../../../src/core/events.ts'
import { createEventBus } from '../../../src/core/events.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'

function flakyChannel(name: string, fail: boolean): Channel {
  let health: ChannelHealth = { status: 'disconnected' }
  return {
    name,
    maxMessageLength: 100,
    async connect(ctx: ChannelContext) {
      if (fail) throw new Error('bad token')
      health = { status: 'connected' }
      ctx.onStatus({ status: 'connecting', detail: 'reconnecting' })
      ctx.onStatus(health)
    },
    async disconnect() {
      health = { status: 'disconnected' }
    },
    async send() {
      return {}
    },
    health: () => health,
  }
}

describe('channel registry', () => {
  test('routes a JID to its channel by platform, threads and kinds included', () => {
    const bus = createEventBus()
    const reg = createChannelRegistry({ bus, log: createMemoryLogger() })
    reg.add(flakyChannel('slack', false))
    reg.add(createWebChannel())
    expect(reg.channelFor('slack:channel:C1#1.2')?.name).toBe('slack')
    expect(reg.channelFor('web:main')?.name).toBe('web')
    expect(reg.channelFor('discord:1')).toBeUndefined()
    expect(reg.channelFor('garbage')).toBeUndefined()
    expect(() => reg.add(createWebChannel())).toThrow(/already registered/)
  })

  test('one failing channel does not stop the others; every change is published as channel.status', async () => {
    const bus = createEventBus()
    const events: NgbEvent[] = []
    bus.on('channel.status', (e) => events.push(e))
    const reg = createChannelRegistry({ bus, log: createMemoryLogger() })
    reg.add(flakyChannel('good', false))
    reg.add(flakyChannel('bad', true))
    await reg.connectAll(() => {})
    expect(reg.list()).toEqual([
      { name: 'good', health: { status: 'connected' } },
      { name: 'bad', health: { status: 'disconnected' } },
    ])
    const statuses = events.map((e) => (e.type === 'channel.status' ? `${e.channel}:${e.status}` : ''))
    expect(statuses).toContain('bad:error')
    expect(statuses).toContain('good:connected')
    await reg.remove('good')
    expect(reg.get('good')).toBeUndefined()
    expect(events.at(-1)).toEqual({
      type: 'channel.status',
      channel: 'good',
      status: 'disconnected',
      detail: undefined,
    })
  })

  test('the web channel hands posts to the pipeline as web:<folder> messages', async () => {
    const bus = createEventBus()
    const received: unknown[] = []
    const reg = createChannelRegistry({ bus, log: createMemoryLogger() })
    const web = createWebChannel()
    reg.add(web)
    await expect(web.post('main', 'too early')).rejects.toThrow(/not connected/)
    await reg.connectAll((m) => void received.push(m))
    const r = await web.post('main', 'hi', { name: 'Ann' })
    expect(r.jid).toBe('web:main')
    expect(received).toEqual([
      expect.objectContaining({
        jid: 'web:main',
        text: 'hi',
        senderName: 'Ann',
        isGroup: false,
        messageId: r.messageId,
      }),
    ])
  })
})

describe('channel registry before the pipeline starts', () => {
  test('one channel cannot connect before connectAll has handed over the inbound step', async () => {
    const reg = createChannelRegistry({ bus: createEventBus(), log: createMemoryLogger() })
    reg.add(createWebChannel())
    await expect(reg.connect('web')).rejects.toThrow(/still starting/)
    await reg.connectAll(() => {})
    await reg.disconnect('web')
    await reg.connect('web')
    expect(reg.list()).toEqual([{ name: 'web', health: { status: 'connected' } }])
  })
})
