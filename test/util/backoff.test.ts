import { describe, expect, test } from 'bun:test'
import { backoffDelay, retry } from '../../src/util/backoff.ts'

describe('backoffDelay', () => {
  test('doubles from the base and respects the cap', () => {
    const opts = { baseMs: 5000, jitter: 0 }
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, opts))).toEqual([5000, 10000, 20000, 40000])
    expect(backoffDelay(10, { ...opts, maxMs: 60000 })).toBe(60000)
  })

  test('jitter stays within ±spread', () => {
    expect(backoffDelay(0, { baseMs: 1000, jitter: 0.2, random: () => 0 })).toBe(800)
    expect(backoffDelay(0, { baseMs: 1000, jitter: 0.2, random: () => 1 })).toBe(1200)
  })
})

describe('retry', () => {
  test('retries until success and reports each wait', async () => {
    const waits: number[] = []
    let calls = 0
    const result = await retry(
      async () => {
        calls++
        if (calls < 3) throw new Error('flaky')
        return 'ok'
      },
      { baseMs: 100, jitter: 0, maxAttempts: 5, wait: async (ms) => void waits.push(ms) },
    )
    expect(result).toBe('ok')
    expect(waits).toEqual([100, 200])
  })

  test('a server-provided delay wins over the computed backoff', async () => {
    const waits: number[] = []
    let calls = 0
    await retry(
      async () => {
        if (calls++ === 0) throw Object.assign(new Error('429'), { retryAfterMs: 7000 })
        return 1
      },
      { baseMs: 100, jitter: 0, maxAttempts: 3, wait: async (ms) => void waits.push(ms) },
    )
    expect(waits).toEqual([7000])
  })

  test('gives up after maxAttempts and rethrows the last error; non-retryable fails at once', async () => {
    let calls = 0
    await expect(
      retry(
        async () => {
          calls++
          throw new Error(`fail ${calls}`)
        },
        { baseMs: 1, maxAttempts: 3, wait: async () => {} },
      ),
    ).rejects.toThrow('fail 3')
    calls = 0
    await expect(
      retry(
        async () => {
          calls++
          throw Object.assign(new Error('bad request'), { retryable: false })
        },
        { baseMs: 1, maxAttempts: 3, wait: async () => {} },
      ),
    ).rejects.toThrow('bad request')
    expect(calls).toBe(1)
  })
})
