import type { Clock, TimerHandle } from '../../src/util/clock.ts'

interface Pending {
  id: number
  at: number
  fn: () => void
}

/** A clock tests move by hand: `advance(ms)` fires due timers in time order. */
export function createManualClock(start: number): Clock & {
  advance(ms: number): void
  set(now: number): void
  pending(): number[]
} {
  let now = start
  let seq = 0
  let timers: Pending[] = []
  function runDue() {
    for (;;) {
      const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at || a.id - b.id)[0]
      if (!due) return
      timers = timers.filter((t) => t !== due)
      due.fn()
    }
  }
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const t = { id: ++seq, at: now + Math.max(0, ms), fn }
      timers.push(t)
      return { id: t.id }
    },
    clearTimeout(handle: TimerHandle) {
      timers = timers.filter((t) => t.id !== handle.id)
    },
    advance(ms) {
      const target = now + ms
      for (;;) {
        const next = timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0]
        if (!next) break
        now = Math.max(now, next.at)
        runDue()
      }
      now = target
    },
    set(t) {
      now = t
      runDue()
    },
    pending: () => timers.map((t) => t.at).sort((a, b) => a - b),
  }
}
