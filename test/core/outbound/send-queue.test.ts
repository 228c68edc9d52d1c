import { describe, expect, test } from 'bun:test'
import { ChannelError } from '../../../src/core/errors.ts'
import { createSendQueue } from '../../../src/core/outbound/send-queue.ts'

describe('send queue', () => {
  test('sends to one chat in order even when an early send is slow; other chats do not wait', async () => {
    const q = createSendQueue()
    const order: string[] = []
    // The first send of chat a hangs until chat b has been served: b must not wait behind it.
    let release = () => {}
    const hanging = new Promise<void>((resolve) => {
      release = resolve
    })
    const slow = q.run('a', async () => {
      await hanging
      order.push('a1')
    })
    const a2 = q.run('a', async () => {
      order.push('a2')
    })
    const b1 = q.run('b', async () => {
      order.push('b1')
    })
    await b1
    release()
    await Promise.all([slow, a2, b1])
    expect(order).toEqual(['b1', 'a1', 'a2'])
  })

  test('honours retryAfterMs from a rate-limited send, and stops at a non-retryable error', async () => {
    const waits: number[] = []
    const q = createSendQueue({ wait: async (ms) => void waits.push(ms), baseMs: 10 })
    let calls = 0
    const result = await q.run('a', async () => {
      calls++
      if (calls === 1) throw new ChannelError('429', { retryable: true, retryAfterMs: 1234 })
      if (calls === 2) throw new Error('socket reset')
      return 'sent'
    })
    expect(result).toBe('sent')
    expect(waits[0]).toBe(1234)
    expect(waits).toHaveLength(2)
    const fatal = q.run('a', async () => {
      throw new ChannelError('chat not found', { retryable: false })
    })
    await expect(fatal).rejects.toThrow('chat not found')
    // The chat's queue keeps working after a failed send.
    expect(await q.run('a', async () => 'after')).toBe('after')
    await q.idle()
    expect(q.busyChats()).toBe(0)
  })

  test('a series stops at the first failed step: later steps never run, the chat keeps working', async () => {
    const q = createSendQueue({ wait: async () => {}, maxAttempts: 2 })
    const done: number[] = []
    const step =
      (i: number, fail = false) =>
      async () => {
        if (fail) throw new ChannelError(`chunk ${i} refused`, { retryable: false })
        done.push(i)
      }
    await expect(q.series('a', [step(0), step(1, true), step(2)])).rejects.toThrow('chunk 1 refused')
    // Whatever was queued for the chat after the series still runs, after it.
    await q.run('a', step(9))
    expect(done).toEqual([0, 9])
  })
})
