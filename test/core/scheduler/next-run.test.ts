import { describe, expect, test } from 'bun:test'
import { InvalidInputError } from '../../../src/core/errors.ts'
import {
  firstRun,
  nextRun,
  parseInterval,
  parseOnce,
  resumeRun,
} from '../../../src/core/scheduler/next-run.ts'

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString())
const at = (s: string) => Date.parse(s)
const BERLIN = 'Europe/Berlin'

describe('parseInterval', () => {
  test.each([
    ['1000', 1000],
    ['60000', 60_000],
    ['1s', 1000],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
  ])('%s is %d ms', (value, ms) => {
    expect(parseInterval(value)).toBe(ms)
  })

  test.each(['', '0s', '999', '1H', '10x', '1h30m', '-5s', '1.5s', 'abc'])('refuses %p', (value) => {
    expect(() => parseInterval(value)).toThrow(InvalidInputError)
  })

  test('says the minimum is one second', () => {
    expect(() => parseInterval('500')).toThrow(/at least 1 second/)
  })
})

describe('cron across DST and month ends', () => {
  const cron = (value: string) => ({ scheduleType: 'cron' as const, scheduleValue: value })

  test('a daily 02:30 in Berlin moves to 03:00 CEST on the spring-forward day (no 02:30 exists)', () => {
    expect(
      iso(nextRun(cron('30 2 * * *'), at('2026-03-28T01:30:00Z'), at('2026-03-28T01:30:00Z'), BERLIN)),
    ).toBe('2026-03-29T01:00:00.000Z')
  })

  test('a daily 02:30 in Berlin fires once on the fall-back day, then on CET the day after', () => {
    const first = nextRun(cron('30 2 * * *'), at('2026-10-24T00:30:00Z'), at('2026-10-24T00:30:00Z'), BERLIN)
    expect(iso(first)).toBe('2026-10-25T00:30:00.000Z')
    const second = nextRun(cron('30 2 * * *'), first ?? 0, first ?? 0, BERLIN)
    expect(iso(second)).toBe('2026-10-26T01:30:00.000Z')
  })

  test('09:00 Berlin keeps its local hour across the March transition (08:00Z then 07:00Z)', () => {
    const fri = nextRun(cron('0 9 * * 1-5'), at('2026-03-26T08:00:00Z'), at('2026-03-26T08:00:00Z'), BERLIN)
    expect(iso(fri)).toBe('2026-03-27T08:00:00.000Z')
    // Friday → skips the weekend (and the DST switch on Sunday) → Monday 09:00 CEST.
    expect(iso(nextRun(cron('0 9 * * 1-5'), fri ?? 0, fri ?? 0, BERLIN))).toBe('2026-03-30T07:00:00.000Z')
  })

  test('09:00 Berlin on weekdays across the October transition', () => {
    const fri = at('2026-10-23T07:00:00Z')
    expect(iso(nextRun(cron('0 9 * * 1-5'), fri, fri, BERLIN))).toBe('2026-10-26T08:00:00.000Z')
  })

  test('"0 0 31 * *" skips the months without a 31st', () => {
    const jan = at('2026-01-31T00:00:00Z')
    const mar = nextRun(cron('0 0 31 * *'), jan, jan, 'UTC')
    expect(iso(mar)).toBe('2026-03-31T00:00:00.000Z')
    expect(iso(nextRun(cron('0 0 31 * *'), mar ?? 0, mar ?? 0, 'UTC'))).toBe('2026-05-31T00:00:00.000Z')
  })

  test('"0 0 31 * *" in Berlin is the local midnight, one hour before UTC midnight in winter', () => {
    expect(iso(firstRun(cron('0 0 31 * *'), at('2026-12-01T00:00:00Z'), BERLIN))).toBe(
      '2026-12-30T23:00:00.000Z',
    )
  })

  test('after downtime the next cron run is the next future slot, not each missed one', () => {
    const scheduled = at('2026-05-04T07:00:00Z')
    const now = at('2026-05-07T12:00:00Z')
    expect(iso(nextRun(cron('0 9 * * 1-5'), scheduled, now, BERLIN))).toBe('2026-05-08T07:00:00.000Z')
  })

  test('refuses a bad expression with the reason', () => {
    expect(() => firstRun(cron('61 * * * *'), 0, 'UTC')).toThrow(/invalid cron "61 \* \* \* \*": .*minute/)
    expect(() => firstRun(cron('* * *'), 0, 'UTC')).toThrow(/expected 5 fields/)
  })
})

describe('interval', () => {
  const every = (value: string) => ({ scheduleType: 'interval' as const, scheduleValue: value })

  test('stays on the grid however long a run took (no drift)', () => {
    const scheduled = 1_000_000
    expect(nextRun(every('2s'), scheduled, scheduled + 300, 'UTC')).toBe(scheduled + 2000)
    expect(nextRun(every('2s'), scheduled, scheduled + 1999, 'UTC')).toBe(scheduled + 2000)
  })

  test('skips the slots missed during downtime and keeps the phase', () => {
    const scheduled = 1_000_000
    // Ten minutes down with a 1 min interval: one catch-up (the run now), then the next grid slot.
    expect(nextRun(every('1m'), scheduled, scheduled + 600_500, 'UTC')).toBe(scheduled + 660_000)
  })

  test('a slot exactly at now is already in the past', () => {
    expect(nextRun(every('1s'), 0, 3000, 'UTC')).toBe(4000)
  })

  test('first run is one interval after creation', () => {
    expect(firstRun(every('5m'), 1000, 'UTC')).toBe(301_000)
  })

  test('resume keeps a future slot, or the next slot on the old grid', () => {
    expect(resumeRun(every('10s'), 50_000, 45_000, 'UTC')).toBe(50_000)
    expect(resumeRun(every('10s'), 50_000, 71_000, 'UTC')).toBe(80_000)
    expect(resumeRun(every('10s'), undefined, 71_000, 'UTC')).toBe(81_000)
  })
})

describe('once', () => {
  const once = (value: string) => ({ scheduleType: 'once' as const, scheduleValue: value })
  const now = at('2026-06-01T10:00:00Z')

  test('"now" runs now', () => {
    expect(firstRun(once('now'), now, BERLIN)).toBe(now)
  })

  test('an ISO time with an offset is taken as given', () => {
    expect(iso(firstRun(once('2026-06-02T09:00:00+02:00'), now, BERLIN))).toBe('2026-06-02T07:00:00.000Z')
    expect(iso(firstRun(once('2026-06-02T09:00Z'), now, BERLIN))).toBe('2026-06-02T09:00:00.000Z')
  })

  test('an ISO time without offset is read in the configured zone', () => {
    expect(iso(parseOnce('2026-06-02T09:00', BERLIN, now))).toBe('2026-06-02T07:00:00.000Z')
    expect(iso(parseOnce('2026-12-02 09:00:00', BERLIN, now))).toBe('2026-12-02T08:00:00.000Z')
  })

  test('refuses the past, garbage and impossible dates', () => {
    expect(() => firstRun(once('2026-05-01T09:00Z'), now, BERLIN)).toThrow(/in the past/)
    expect(() => firstRun(once('tomorrow'), now, BERLIN)).toThrow(/ISO time/)
    expect(() => firstRun(once('2027-02-30T09:00Z'), now, BERLIN)).toThrow(/not a real date/)
  })

  test('has no next run after it ran', () => {
    expect(nextRun(once('now'), now, now, BERLIN)).toBeUndefined()
  })

  test('resumed after its time passed, it runs now', () => {
    expect(resumeRun(once('2026-05-01T09:00Z'), undefined, now, BERLIN)).toBe(now)
  })
})
