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
  /** Resolves when every queued send has settled. */
  idle(): Promise<void>
  /** Chats with sends in flight or queued. */
  busyChats(): number
}

/** One ordered queue per chat: replies never overtake each other, even across retries. */
export function createSendQueue(opts: SendQueueOptions = {}): SendQueue {
  const tails = new Map<string, Promise<unknown>>()
  return {
    run(chatJid, fn) {
      const previous = tails.get(chatJid) ?? Promise.resolve()
      const job = previous.then(() =>
        retry(() => fn(), {
          maxAttempts: opts.maxAttempts ?? 5,
          baseMs: opts.baseMs ?? 500,
          maxMs: opts.maxMs ?? 30_000,
          wait: opts.wait,
          onRetry: opts.onRetry,
        }),
      )
      // The chain must survive a failed send, or one bad message would block the chat forever.
      const tail = job.catch(() => undefined)
      tails.set(chatJid, tail)
      void tail.then(() => {
        if (tails.get(chatJid) === tail) tails.delete(chatJid)
      })
      return job
    },
    async idle() {
      while (tails.size > 0) await Promise.all([...tails.values()])
    },
    busyChats: () => tails.size,
  }
}
