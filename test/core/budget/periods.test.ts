import { describe, expect, test } from 'bun:test'
import { budgetLines, reachedText, warningText } from '../../../src/core/budget/limits.ts'
import { periodOf } from '../../../src/core/budget/periods.ts'
import type { UsageTotals } from '../../../src/db/repos/usage.ts'

const iso = (ms: number) => new Date(ms).toISOString()
const at = (s: string) => Date.parse(s)

describe('budget periods in the configured time zone', () => {
  test.each([
    ['2026-12-06T20:00:00Z', 'Europe/Berlin', 'daily', '2026-12-06', '2026-12-05T23:00:00.000Z', 24],
    ['2026-12-06T23:30:00Z', 'Europe/Berlin', 'daily', '2026-12-07', '2026-12-06T23:00:00.000Z', 24],
    ['2026-03-29T12:00:00Z', 'Europe/Berlin', 'daily', '2026-03-29', '2026-03-28T23:00:00.000Z', 23],
    ['2026-10-25T12:00:00Z', 'Europe/Berlin', 'daily', '2026-10-25', '2026-10-24T22:00:00.000Z', 25],
    ['2026-12-06T20:00:00Z', 'Asia/Kolkata', 'daily', '2026-12-07', '2026-12-06T18:30:00.000Z', 24],
    ['2026-12-31T23:30:00Z', 'Europe/Berlin', 'monthly', '2027-01', '2026-12-31T23:00:00.000Z', 744],
    ['2026-02-10T00:00:00Z', 'UTC', 'monthly', '2026-02', '2026-02-01T00:00:00.000Z', 672],
  ] as const)('%s in %s, %s → %s from %s (%d h)', (when, tz, period, key, start, hours) => {
    const p = periodOf(at(when), tz, period)
    expect(p.key).toBe(key)
    expect(iso(p.start)).toBe(start)
    expect((p.end - p.start) / 3_600_000).toBe(hours)
  })
})

describe('budget lines and notices', () => {
  const totals = (costUsd: number, tokens = 0): UsageTotals => ({
    runs: 1,
    inputTokens: tokens,
    outputTokens: 0,
    cacheWriteTokens: 0,
    cacheReadTokens: 0,
    costUsd,
    apiCalls: 1,
    apiMs: 1,
  })

  test('each limit is measured over its own period; four cents of five is 80%, not 79.99…', () => {
    const ranges: Array<{ from?: number; to?: number; groupFolder?: string }> = []
    const lines = budgetLines(
      'family',
      { dailyUsd: 0.05, monthlyTokens: 1000 },
      at('2026-12-06T20:00:00Z'),
      'Europe/Berlin',
      (range) => {
        ranges.push(range)
        return totals(0.01 + 0.01 + 0.01 + 0.01, 1500)
      },
    )
    expect(lines.map((l) => [l.period, l.unit, l.fraction])).toEqual([
      ['daily', 'usd', 0.8],
      ['monthly', 'tokens', 1.5],
    ])
    expect(ranges.map((r) => [iso(r.from ?? 0), r.groupFolder])).toEqual([
      ['2026-12-05T23:00:00.000Z', 'family'],
      ['2026-11-30T23:00:00.000Z', 'family'],
    ])
    const [daily] = lines
    if (!daily) throw new Error('a daily line expected')
    expect(warningText(daily)).toBe('Group "family" has used 80% of the daily budget ($0.04 of $0.05).')
  })

  test('the notice names the limit, the overshoot and the reset in the time zone', () => {
    const [daily, monthly] = budgetLines(
      'global',
      { dailyUsd: 5, monthlyTokens: 2_000_000 },
      at('2026-12-06T20:00:00Z'),
      'Europe/Berlin',
      () => totals(5.4, 2_500_000),
    )
    if (!daily || !monthly) throw new Error('two lines expected')
    expect(reachedText(daily, 'Europe/Berlin', 'hold')).toBe(
      'All groups together reached the global daily budget of $5.00, $5.40 used; it resets at 00:00 Europe/Berlin. ' +
        'Your messages are kept and answered then, or as soon as the budget is raised.',
    )
    expect(reachedText(monthly, 'Europe/Berlin', 'drop')).toBe(
      'All groups together reached the global monthly budget of 2,000,000 tokens, 2,500,000 tokens used; ' +
        'it resets on 2027-01-01 at 00:00 Europe/Berlin. Messages sent until then are not answered.',
    )
  })
})
