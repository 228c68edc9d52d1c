import { type RetryOptions, retry } from '../../util/backoff.ts'

export interface SendQueueOptions {
  /** Attempts per send, first try included. */
  maxAttempts?: number
  baseMs?: number
  maxMs?: number
  /** Injected so tests do not sleep through backoff. */
  wait?: RetryOptions['wait']
  onRetry?: RetryOptions['onRetry']
}

export interface SendQueue {
  /**
   * Runs `fn` after every earlier send to the same chat has finished, retrying with backoff (a
   * ChannelError's retryAfterMs wins; `retryable: false` fails at once). Chats do not wait for each other.
   */
  run<T>(chatJid: string, fn: () => Promise<T>): Promise<T>
  /**
   * Runs the steps one after another in a single slot of the chat's queue, each with the same retries
   * as `run`. The first step that still fails stops the series: later steps never run (the parts of
   * one reply must not reach the chat with a hole in them). Rejects with that step's error.
   */
  series<T>(chatJid: string, steps: Array<() => Promise<T>>): Promise<T[]>
  /** Resolves when every queued send has settled. */
  idle(): Promise<void>
  /** Chats with sends in flight or queued. */
  busyChats(): number
}

/** One ordered queue per chat: replies never overtake each other, even across retries. */
export function createSendQueue(opts: SendQueueOptions = {}): SendQueue {
  const tails = new Map<string, Promise<unknown>>()
  const attempt = <T>(fn: () => Promise<T>) =>
    retry(() => fn(), {
      maxAttempts: opts.maxAttempts ?? 5,
      baseMs: opts.baseMs ?? 500,
      maxMs: opts.maxMs ?? 30_000,
      wait: opts.wait,
      onRetry: opts.onRetry,
    })
  function enqueue<T>(chatJid: string, work: () => Promise<T>): Promise<T> {
    const previous = tails.get(chatJid) ?? Promise.resolve()
    const job = previous.then(work)
    // The chain must survive a failed send, or one bad message would block the chat forever; the
    // failure itself reaches the caller through `job`.
    const tail = job.catch(() => undefined)
    tails.set(chatJid, tail)
    void tail.then(() => {
      if (tails.get(chatJid) === tail) tails.delete(chatJid)
    })
    return job
  }
  return {
    run: (chatJid, fn) => enqueue(chatJid, () => attempt(fn)),
    series: (chatJid, steps) =>
      enqueue(chatJid, async () => {
        const out = []
        for (const step of steps) out.push(await attempt(step))
        return out
      }),
    async idle() {
      while (tails.size > 0) await Promise.all([...tails.values()])
    },
    busyChats: () => tails.size,
  }
}
