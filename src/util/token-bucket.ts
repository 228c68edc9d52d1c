import type { Clock } from './clock.ts'
import { sleep, systemClock } from './clock.ts'

export interface TokenBucketOptions {
  capacity: number
  refillPerSecond: number
  clock?: Pick<Clock, 'now'>
}

export interface TokenBucket {
  /** Takes a token if one is there; otherwise returns the ms until one will be. */
  tryTake(): { ok: true } | { ok: false; waitMs: number }
  /** Waits until a token is available, then takes it. */
  take(signal?: AbortSignal): Promise<void>
  available(): number
}

export function createTokenBucket(opts: TokenBucketOptions): TokenBucket {
  const clock = opts.clock ?? systemClock
  let tokens = opts.capacity
  let last = clock.now()

  function refill(): void {
    const now = clock.now()
    tokens = Math.min(opts.capacity, tokens + ((now - last) / 1000) * opts.refillPerSecond)
    last = now
  }

  const bucket: TokenBucket = {
    tryTake() {
      refill()
      if (tokens >= 1) {
        tokens -= 1
        return { ok: true }
      }
      return { ok: false, waitMs: Math.ceil(((1 - tokens) / opts.refillPerSecond) * 1000) }
    },
    async take(signal) {
      for (;;) {
        const attempt = bucket.tryTake()
        if (attempt.ok) return
        await sleep(attempt.waitMs, signal)
      }
    },
    available() {
      refill()
      return Math.floor(tokens)
    },
  }
  return bucket
}
