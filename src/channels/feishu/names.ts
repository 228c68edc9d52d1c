/**
 * Display names of Feishu senders. Events carry only ids; the name needs the contact API (and the
 * app's contact permission). One lookup per user is shared by messages arriving meanwhile; found
 * names are kept, a refusal is remembered for a while, so a missing permission costs one call per
 * user, not one per message. The open_id stands in for a name it could not get.
 */
export function createNameCache(
  lookup: (openId: string) => Promise<string | undefined>,
  opts: { retryAfterMs?: number; now?: () => number; timeoutMs?: number } = {},
) {
  // The name is looked up before the event is acked, and Feishu pushes again after 3 s.
  const timeoutMs = opts.timeoutMs ?? 1500
  const entries = new Map<string, { name: Promise<string>; failedAt?: number }>()
  const now = opts.now ?? Date.now
  const retryAfterMs = opts.retryAfterMs ?? 10 * 60_000
  return function nameOf(openId: string): Promise<string> {
    const entry = entries.get(openId)
    if (entry && (entry.failedAt === undefined || now() - entry.failedAt < retryAfterMs)) return entry.name
    const fresh: { name: Promise<string>; failedAt?: number } = { name: Promise.resolve(openId) }
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs)
    })
    fresh.name = Promise.race([lookup(openId).catch(() => undefined), late])
      .finally(() => clearTimeout(timer))
      .then((name) => {
        if (name) return name
        fresh.failedAt = now()
        return openId
      })
    entries.set(openId, fresh)
    return fresh.name
  }
}
