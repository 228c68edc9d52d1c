/** What a wire fake saw: every call, in order, with a way to wait for one without sleeping. */
export interface Recorder<T> {
  readonly calls: T[]
  record(call: T): void
  /** Resolves with the first recorded call (past or future) matching `pred`; rejects after `timeoutMs`. */
  waitFor(pred: (call: T) => boolean, timeoutMs?: number, what?: string): Promise<T>
  /** Resolves once `n` calls match. */
  waitForCount(pred: (call: T) => boolean, n: number, timeoutMs?: number): Promise<T[]>
}

/**
 * One HTTP call at a fake whose sends name their chat and text (DingTalk, QQ). `jid` and `text` are
 * '' for calls that are not sends; `ok` is the platform's acceptance (status and, where there is one, its code).
 */
export interface ChatCall {
  path: string
  token: string
  body: Record<string, unknown>
  jid: string
  text: string
  status: number
  ok: boolean
  at: number
}

export function createRecorder<T>(): Recorder<T> {
  const calls: T[] = []
  const waiters = new Set<() => void>()
  function waitUntil<R>(check: () => R | undefined, timeoutMs: number, what: string): Promise<R> {
    return new Promise((resolve, reject) => {
      const tryNow = () => {
        const r = check()
        if (r === undefined) return false
        waiters.delete(onCall)
        clearTimeout(timer)
        resolve(r)
        return true
      }
      const onCall = () => {
        tryNow()
      }
      const timer = setTimeout(() => {
        waiters.delete(onCall)
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
      }, timeoutMs)
      if (!tryNow()) waiters.add(onCall)
    })
  }
  return {
    calls,
    record(call) {
      calls.push(call)
      for (const w of [...waiters]) w()
    },
    waitFor: (pred, timeoutMs = 5000, what = 'a matching call') =>
      waitUntil(() => calls.find(pred), timeoutMs, what),
    waitForCount(pred, n, timeoutMs = 5000) {
      return waitUntil(
        () => {
          const found = calls.filter(pred)
          return found.length >= n ? found : undefined
        },
        timeoutMs,
        `${n} matching calls`,
      )
    },
  }
}

/** A forced failure the next matching call gets instead of its normal answer. */
export type FailureKind =
  | { kind: 'rate_limit'; retryAfterSeconds: number }
  | { kind: 'server_error' }
  /** Telegram only: the entity parser rejects the message's HTML. */
  | { kind: 'parse_error' }

export async function readBody(req: Request): Promise<Record<string, unknown>> {
  const type = req.headers.get('content-type') ?? ''
  if (req.method === 'GET') return Object.fromEntries(new URL(req.url).searchParams)
  if (type.includes('application/json')) {
    const text = await req.text()
    return text ? (JSON.parse(text) as Record<string, unknown>) : {}
  }
  if (type.includes('multipart/form-data') || type.includes('application/x-www-form-urlencoded')) {
    const form = await req.formData()
    const out: Record<string, unknown> = {}
    form.forEach((value, key) => {
      out[key] = typeof value === 'string' ? value : '[file]'
    })
    return out
  }
  const text = await req.text()
  return text ? { raw: text } : {}
}
