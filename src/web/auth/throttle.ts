/** Failed-login limiter: after `maxFailures` within `windowMs` from one key, refuse until the window passes. */
export interface LoginThrottle {
  /** Milliseconds to wait before the next attempt, or 0 when allowed. */
  retryAfterMs(key: string): number
  fail(key: string): void
  succeed(key: string): void
}

export interface LoginThrottleOptions {
  maxFailures?: number
  windowMs?: number
  now: () => number
}

export function createLoginThrottle(opts: LoginThrottleOptions): LoginThrottle {
  const max = opts.maxFailures ?? 5
  const windowMs = opts.windowMs ?? 15 * 60_000
  const failures = new Map<string, number[]>()
  const recent = (key: string) => {
    const cutoff = opts.now() - windowMs
    const list = (failures.get(key) ?? []).filter((t) => t > cutoff)
    if (list.length === 0) failures.delete(key)
    else failures.set(key, list)
    return list
  }
  return {
    retryAfterMs(key) {
      const list = recent(key)
      const oldest = list[0]
      if (list.length < max || oldest === undefined) return 0
      return oldest + windowMs - opts.now()
    },
    fail(key) {
      const list = recent(key)
      list.push(opts.now())
      failures.set(key, list)
    },
    succeed(key) {
      failures.delete(key)
    },
  }
}
