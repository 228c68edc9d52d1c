import { sleep } from './clock.ts'

export interface BackoffOptions {
  baseMs: number
  maxMs?: number
  factor?: number
  /** 0 = none, 1 = "full jitter" (uniform in [0, delay]); default 0.2 (±20 %). */
  jitter?: number
  random?: () => number
}

/** Delay before retry `attempt` (0-based): base × factor^attempt, capped, with jitter. */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const factor = opts.factor ?? 2
  const raw = Math.min(opts.baseMs * factor ** attempt, opts.maxMs ?? Number.POSITIVE_INFINITY)
  const jitter = opts.jitter ?? 0.2
  const random = opts.random ?? Math.random
  if (jitter <= 0) return raw
  const spread = raw * jitter
  return Math.max(0, Math.round(raw - spread + random() * 2 * spread))
}

/** An error may carry the server's requested delay (HTTP Retry-After, Telegram retry_after, …). */
export interface RetryHint {
  retryAfterMs?: number
  retryable?: boolean
}

function hintOf(err: unknown): RetryHint {
  if (typeof err !== 'object' || err === null) return {}
  const { retryAfterMs, retryable } = err as Record<string, unknown>
  return {
    retryAfterMs: typeof retryAfterMs === 'number' ? retryAfterMs : undefined,
    retryable: typeof retryable === 'boolean' ? retryable : undefined,
  }
}

export interface RetryOptions extends BackoffOptions {
  maxAttempts: number
  signal?: AbortSignal
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>
}

/**
 * Runs `fn` until it succeeds or `maxAttempts` are spent. A server-provided delay wins over the
 * computed backoff, because retrying sooner only earns another 429. Errors marked
 * `retryable: false` are rethrown at once.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const wait = opts.wait ?? sleep
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt)
    } catch (error) {
      const hint = hintOf(error)
      if (hint.retryable === false || attempt + 1 >= opts.maxAttempts) throw error
      const delayMs = hint.retryAfterMs ?? backoffDelay(attempt, opts)
      opts.onRetry?.({ attempt, delayMs, error })
      await wait(delayMs, opts.signal)
    }
  }
}
