import type { Clock } from './clock.ts'
import { systemClock } from './clock.ts'

export type CircuitState = 'closed' | 'open' | 'half-open'

export interface CircuitBreakerOptions {
  failureThreshold: number
  resetAfterMs: number
  clock?: Pick<Clock, 'now'>
  /** Which errors count against the remote side (default: all); others pass through uncounted. */
  isFailure?: (error: unknown) => boolean
}

export class CircuitOpenError extends Error {
  readonly retryAfterMs: number
  constructor(retryAfterMs: number) {
    super(`circuit open: giving the remote side ${retryAfterMs} ms before the next attempt`)
    this.name = 'CircuitOpenError'
    this.retryAfterMs = retryAfterMs
  }
}

export interface CircuitBreaker {
  readonly state: CircuitState
  run<T>(fn: () => Promise<T>): Promise<T>
}

/** Stops hammering a failing dependency: after N consecutive failures, calls fail fast until a probe succeeds. */
export function createCircuitBreaker(opts: CircuitBreakerOptions): CircuitBreaker {
  const clock = opts.clock ?? systemClock
  let failures = 0
  let openedAt = 0
  let probing = false

  function currentState(): CircuitState {
    if (failures < opts.failureThreshold) return 'closed'
    return clock.now() - openedAt >= opts.resetAfterMs ? 'half-open' : 'open'
  }

  return {
    get state() {
      return currentState()
    },
    async run(fn) {
      const state = currentState()
      if (state === 'open' || (state === 'half-open' && probing)) {
        throw new CircuitOpenError(Math.max(0, opts.resetAfterMs - (clock.now() - openedAt)))
      }
      probing = state === 'half-open'
      try {
        const result = await fn()
        failures = 0
        return result
      } catch (error) {
        if (opts.isFailure && !opts.isFailure(error)) {
          // The remote side answered (e.g. "no such chat"): it is up, whatever the request was.
          failures = 0
          throw error
        }
        failures++
        if (failures >= opts.failureThreshold) openedAt = clock.now()
        throw error
      } finally {
        probing = false
      }
    },
  }
}
