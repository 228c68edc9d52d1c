import type { SoakPlatform } from './platforms.ts'

/** Tokens are letters and digits only, so every platform's dialect delivers them unchanged. */
export const TOKEN = /\bsk\d+q\d+\b/g

/**
 * Counts how often each sent token came back in an accepted outbound message, across all fakes.
 * Exactly once is right; never is a lost message, twice or more a duplicate.
 */
export function createTracker(platforms: SoakPlatform[]) {
  const sentAt = new Map<string, number>()
  const seen = new Map<string, { count: number; firstAt: number }>()
  const cursor = new Map<string, number>()
  let seq = 0

  function scan() {
    for (const p of platforms) {
      const { items, next } = p.deliveredSince(cursor.get(p.name) ?? 0)
      cursor.set(p.name, next)
      for (const item of items) {
        for (const m of item.text.matchAll(TOKEN)) {
          const prev = seen.get(m[0])
          if (prev) prev.count++
          else seen.set(m[0], { count: 1, firstAt: item.at })
        }
      }
    }
  }

  return {
    /** A fresh token for group `g`, registered as sent now. */
    token(g: number): string {
      const t = `sk${g}q${++seq}`
      sentAt.set(t, Date.now())
      return t
    },
    /** Resolves with the reply latency in ms, or undefined after `timeoutMs` without a reply. */
    async waitFor(token: string, timeoutMs: number): Promise<number | undefined> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        scan()
        const hit = seen.get(token)
        if (hit) return hit.firstAt - (sentAt.get(token) ?? hit.firstAt)
        if (Date.now() > deadline) return undefined
        await Bun.sleep(25)
      }
    },
    scan,
    totals() {
      scan()
      let lost = 0
      let duplicated = 0
      const lostTokens: string[] = []
      const duplicatedTokens: string[] = []
      for (const t of sentAt.keys()) {
        const n = seen.get(t)?.count ?? 0
        if (n === 0) {
          lost++
          lostTokens.push(t)
        } else if (n > 1) {
          duplicated++
          duplicatedTokens.push(t)
        }
      }
      return {
        sent: sentAt.size,
        lost,
        duplicated,
        lostTokens: lostTokens.slice(0, 20),
        duplicatedTokens: duplicatedTokens.slice(0, 20),
      }
    },
  }
}

export type Tracker = ReturnType<typeof createTracker>
