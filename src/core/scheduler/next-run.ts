import { Cron } from 'croner'
import { InvalidInputError } from '../errors.ts'
import type { ScheduleType } from '../types.ts'

/** Shorter intervals would turn a task into a busy loop of containers. */
export const MIN_INTERVAL_MS = 1000

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** `60000` (integer ms, NanoClaw's format) or `30s`/`5m`/`1h`/`1d` (the predecessor's format). */
export function parseInterval(value: string): number {
  const v = value.trim()
  let ms: number
  const unit = /^(\d+)([smhd])$/.exec(v)
  if (/^\d+$/.test(v)) ms = Number(v)
  else if (unit) ms = Number(unit[1]) * UNIT_MS[unit[2] as keyof typeof UNIT_MS]
  else {
    throw new InvalidInputError(
      `invalid interval "${value}": use whole milliseconds (60000) or a number with s, m, h or d (30s, 5m, 1h, 1d)`,
      'scheduleValue',
    )
  }
  if (!Number.isSafeInteger(ms) || ms < MIN_INTERVAL_MS) {
    throw new InvalidInputError(
      `invalid interval "${value}": it must be at least 1 second (1000 ms or 1s)`,
      'scheduleValue',
    )
  }
  return ms
}

/** A croner object used only for computing dates: built without a callback it starts no timer. */
export function parseCron(expr: string, timezone: string): Cron {
  const fields = expr.trim().split(/\s+/)
  if (!expr.trim().startsWith('@') && fields.length !== 5 && fields.length !== 6) {
    throw new InvalidInputError(
      `invalid cron "${expr}": expected 5 fields (minute hour day month weekday), or 6 with seconds first`,
      'scheduleValue',
    )
  }
  try {
    return new Cron(expr.trim(), { timezone })
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^CronPattern: /, '') : String(err)
    throw new InvalidInputError(`invalid cron "${expr}": ${reason}`, 'scheduleValue')
  }
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/i

/**
 * An ISO time (`2026-03-01T09:00`, `…Z`, `…+01:00`) or `now`. A time without an offset is read in
 * the configured time zone, as a user typing "9:00" means their 9:00, not the server's.
 */
export function parseOnce(value: string, timezone: string, now: number): number {
  const v = value.trim()
  if (v.toLowerCase() === 'now') return now
  if (!ISO_TIME.test(v)) {
    throw new InvalidInputError(
      `invalid time "${value}": use an ISO time such as 2026-03-01T09:00 (read in ${timezone}), 2026-03-01T09:00Z, or "now"`,
      'scheduleValue',
    )
  }
  const [year, month, day] = v.slice(0, 10).split('-').map(Number) as [number, number, number]
  // Date.parse rolls 02-30 over to 03-02; a typo must not become a different day.
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) {
    throw new InvalidInputError(`invalid time "${value}": not a real date`, 'scheduleValue')
  }
  const normalised = v.replace(' ', 'T')
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(normalised)
  let at: number | undefined
  if (hasOffset) at = Date.parse(normalised)
  else {
    // croner reads an offset-less ISO date in its time zone; asking from the epoch returns that instant.
    at = new Cron(normalised.length === 16 ? `${normalised}:00` : normalised, { timezone })
      .nextRun(new Date(0))
      ?.getTime()
  }
  if (at === undefined || Number.isNaN(at)) {
    throw new InvalidInputError(`invalid time "${value}": not a real date`, 'scheduleValue')
  }
  return at
}

export interface ScheduleSpec {
  scheduleType: ScheduleType
  scheduleValue: string
}

/** Grace for "once" times that are a moment old by the time they arrive (typed by hand, IPC latency). */
const ONCE_PAST_GRACE_MS = 60_000

/**
 * Validates a schedule and returns its first run time. Throws InvalidInputError with the reason.
 * A `once` time in the past (beyond a minute of grace) is refused: it would run at once, surprising.
 */
export function firstRun(spec: ScheduleSpec, now: number, timezone: string): number {
  switch (spec.scheduleType) {
    case 'cron': {
      const next = parseCron(spec.scheduleValue, timezone).nextRun(new Date(now))
      if (!next) {
        throw new InvalidInputError(`cron "${spec.scheduleValue}" never fires again`, 'scheduleValue')
      }
      return next.getTime()
    }
    case 'interval':
      return now + parseInterval(spec.scheduleValue)
    case 'once': {
      const at = parseOnce(spec.scheduleValue, timezone, now)
      if (at < now - ONCE_PAST_GRACE_MS) {
        throw new InvalidInputError(
          `time "${spec.scheduleValue}" is in the past; give a future time or "now"`,
          'scheduleValue',
        )
      }
      return Math.max(at, now)
    }
  }
}

/**
 * The run after the one scheduled at `scheduledAt`, computed at `now` (when that run finished or
 * when the scheduler catches up). Missed slots are skipped, so downtime costs at most one catch-up
 * run. Intervals stay on the grid `scheduledAt + k·interval`, so run durations never add drift.
 * `once` has no next run.
 */
export function nextRun(
  spec: ScheduleSpec,
  scheduledAt: number,
  now: number,
  timezone: string,
): number | undefined {
  switch (spec.scheduleType) {
    case 'cron':
      return parseCron(spec.scheduleValue, timezone)
        .nextRun(new Date(Math.max(scheduledAt, now)))
        ?.getTime()
    case 'interval': {
      const interval = parseInterval(spec.scheduleValue)
      if (now < scheduledAt) return scheduledAt + interval
      const k = Math.floor((now - scheduledAt) / interval) + 1
      return scheduledAt + k * interval
    }
    case 'once':
      return undefined
  }
}

/**
 * The next run of a task that is (re)activated at `now`, e.g. resumed after a pause. Intervals keep
 * their phase when an earlier slot is known; a `once` whose time passed while paused runs now.
 */
export function resumeRun(
  spec: ScheduleSpec,
  previousNextRunAt: number | undefined,
  now: number,
  timezone: string,
): number | undefined {
  switch (spec.scheduleType) {
    case 'cron':
      return nextRun(spec, now, now, timezone)
    case 'interval':
      if (previousNextRunAt !== undefined && previousNextRunAt > now) return previousNextRunAt
      return previousNextRunAt === undefined
        ? now + parseInterval(spec.scheduleValue)
        : nextRun(spec, previousNextRunAt, now, timezone)
    case 'once':
      return Math.max(parseOnce(spec.scheduleValue, timezone, now), now)
  }
}
