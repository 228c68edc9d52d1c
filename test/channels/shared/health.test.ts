import { describe, expect, test } from 'bun:test'
import { createHealthState } from '../../../src/channels/shared/health.ts'
import type { ChannelHealth } from '../../../src/core/channel/channel.ts'

describe('channel health', () => {
  test('starts disconnected; reports a change of status or of detail, never a repeat', () => {
    const reported: ChannelHealth[] = []
    const health = createHealthState((h) => reported.push(h))
    expect(health.get()).toEqual({ status: 'disconnected' })
    health.set({ status: 'connecting' })
    health.set({ status: 'connecting' })
    health.set({ status: 'connecting', detail: 'getUpdates failed: 502' })
    health.set({ status: 'connected' })
    health.set({ status: 'connected' })
    expect(reported).toEqual([
      { status: 'connecting' },
      { status: 'connecting', detail: 'getUpdates failed: 502' },
      { status: 'connected' },
    ])
    expect(health.get()).toEqual({ status: 'connected' })
  })

  test('startWith: connecting while the start runs; a failed start is an error with its message, rethrown', async () => {
    const reported: ChannelHealth[] = []
    const health = createHealthState((h) => reported.push(h))
    await health.startWith(async () => {
      expect(health.get()).toEqual({ status: 'connecting' })
    })
    const refused = new Error('token refused')
    await expect(health.startWith(() => Promise.reject(refused))).rejects.toBe(refused)
    expect(health.get()).toEqual({ status: 'error', detail: 'token refused' })
    expect(reported).toEqual([{ status: 'connecting' }, { status: 'error', detail: 'token refused' }])
  })
})
