import { expect, test } from 'bun:test'
import { createTokenBucket } from '../../src/util/token-bucket.ts'

test('allows a burst of capacity, then refills at the given rate', () => {
  let now = 0
  const bucket = createTokenBucket({ capacity: 3, refillPerSecond: 2, clock: { now: () => now } })
  expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()].every((r) => r.ok)).toBe(true)
  const denied = bucket.tryTake()
  expect(denied).toEqual({ ok: false, waitMs: 500 })
  now = 500
  expect(bucket.tryTake().ok).toBe(true)
  now = 10_000
  expect(bucket.available()).toBe(3)
})

test('take() waits for a token', async () => {
  const bucket = createTokenBucket({ capacity: 1, refillPerSecond: 50 })
  await bucket.take()
  const started = performance.now()
  await bucket.take()
  expect(performance.now() - started).toBeGreaterThanOrEqual(15)
})
