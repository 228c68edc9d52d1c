/**
 * Budget periods in the configured time zone: a day runs from local midnight to local midnight, a
 * month from the 1st at 00:00. Computed with Intl (no time-zone library); DST days are 23 or 25 h.
 */

export type Period = 'daily' | 'monthly'

interface Local {
  year: number
  month: number
  day: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(tz, f)
  }
  return f
}

/** The wall-clock fields of `ms` in `tz`. */
function fields(ms: number, tz: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const p of formatter(tz).formatToParts(ms)) if (p.type !== 'literal') out[p.type] = Number(p.value)
  return out
}

/** How far `tz` is ahead of UTC at `ms`. */
function offsetAt(ms: number, tz: string): number {
  const f = fields(ms, tz)
  const asUtc = Date.UTC(
    f.year ?? 1970,
    (f.month ?? 1) - 1,
    f.day ?? 1,
    f.hour ?? 0,
    f.minute ?? 0,
    f.second ?? 0,
  )
  return asUtc - Math.floor(ms / 1000) * 1000
}

/** The epoch ms of local midnight starting `d` in `tz`. */
function midnight(d: Local, tz: string): number {
  const guess = Date.UTC(d.year, d.month - 1, d.day)
  let t = guess - offsetAt(guess, tz)
  // Once more with the offset at the result: right across a DST change.
  t = guess - offsetAt(t, tz)
  return t
}

export function localDate(ms: number, tz: string): Local {
  const f = fields(ms, tz)
  return { year: f.year ?? 1970, month: f.month ?? 1, day: f.day ?? 1 }
}

/** `2026-12-06` for the local day of `ms`. */
export function dayKey(ms: number, tz: string): string {
  const d = localDate(ms, tz)
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`
}

export interface PeriodRange {
  start: number
  end: number
  key: string
}

/** The last period computed per zone and kind: checks before every run hit it (Intl is slow). */
const recent = new Map<string, PeriodRange>()

/** [start, end) of the period holding `ms`, and a key naming it (`2026-12-06`, `2026-12`). */
export function periodOf(ms: number, tz: string, period: Period): PeriodRange {
  const cacheKey = `${tz}|${period}`
  const hit = recent.get(cacheKey)
  if (hit && ms >= hit.start && ms < hit.end) return hit
  const range = computePeriod(ms, tz, period)
  recent.set(cacheKey, range)
  return range
}

function computePeriod(ms: number, tz: string, period: Period): PeriodRange {
  const d = localDate(ms, tz)
  if (period === 'daily') {
    const next = new Date(Date.UTC(d.year, d.month - 1, d.day + 1))
    return {
      start: midnight(d, tz),
      end: midnight(
        { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() },
        tz,
      ),
      key: dayKey(ms, tz),
    }
  }
  const nextMonth =
    d.month === 12 ? { year: d.year + 1, month: 1, day: 1 } : { year: d.year, month: d.month + 1, day: 1 }
  return {
    start: midnight({ year: d.year, month: d.month, day: 1 }, tz),
    end: midnight(nextMonth, tz),
    key: `${d.year}-${String(d.month).padStart(2, '0')}`,
  }
}
