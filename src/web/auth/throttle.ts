/**
 * Failed-login limiter with exponential delays. Each key (an account, a remote address) may fail
 * `freeFailures` times; after that every attempt waits `baseDelayMs * 2^(extra failures)` from the
 * last failure, capped at `maxDelayMs`. The cap is short on purpose: a flood of wrong passwords for
 * an account (from any local process) slows its owner by at most that much, never locks them out,
 * while guessing stays at one try per cap. Refused attempts do not count as failures, so waiting
 * out the delay always works. A key is forgotten `windowMs` after its last failure or on success.
 */
export interface LoginThrottle {
  /** Milliseconds to wait before the next attempt (the longest over `keys`), or 0 when allowed. */
  retryAfterMs(keys: string[]): number
  fail(keys: string[]): void
  succeed(keys: string[]): void
}

export interface LoginThrottleOptions {
  freeFailures?: number
  baseDelayMs?: number
  maxDelayMs?: number
  windowMs?: number
  /** Keys remembered at most (oldest dropped first), so random user names cannot grow memory. */
  maxKeys?: number
  now: () => number
}

interface Record {
  failures: number
  lastAt: number
}

export function createLoginThrottle(opts: LoginThrottleOptions): LoginThrottle {
  const free = opts.freeFailures ?? 5
  const base = opts.baseDelayMs ?? 1000
  const cap = opts.maxDelayMs ?? 30_000
  const windowMs = opts.windowMs ?? 15 * 60_000
  const maxKeys = opts.maxKeys ?? 10_000
  const records = new Map<string, Record>()
  const current = (key: string): Record | undefined => {
    const r = records.get(key)
    if (r && opts.now() - r.lastAt > windowMs) {
      records.delete(key)
      return undefined
    }
    return r
  }
  const delayOf = (r: Record) =>
    r.failures < free ? 0 : Math.min(cap, base * 2 ** Math.min(30, r.failures - free))
  return {
    retryAfterMs(keys) {
      let wait = 0
      for (const key of keys) {
        const r = current(key)
        if (r) wait = Math.max(wait, r.lastAt + delayOf(r) - opts.now())
      }
      return Math.max(0, wait)
    },
    fail(keys) {
      for (const key of keys) {
        const r = current(key) ?? { failures: 0, lastAt: 0 }
        records.delete(key)
        records.set(key, { failures: r.failures + 1, lastAt: opts.now() })
        if (records.size > maxKeys) {
          const oldest = records.keys().next().value
          if (oldest !== undefined) records.delete(oldest)
        }
      }
    },
    succeed(keys) {
      for (const key of keys) records.delete(key)
    },
  }
}
