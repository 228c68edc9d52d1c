import type { UsageRange, UsageTotals } from '../../db/repos/usage.ts'
import type { BudgetLimits, BudgetPolicy } from '../types.ts'
import { formatUsd, totalTokens } from '../usage/sum.ts'
import { type Period, periodOf } from './periods.ts'

export type { BudgetLimits, BudgetPolicy }

export type BudgetUnit = 'usd' | 'tokens'

/** One limit as it stands now. */
export interface BudgetLine {
  /** `global` or the group folder. */
  scope: string
  period: Period
  unit: BudgetUnit
  limit: number
  used: number
  /** used / limit; above 1 when a run crossed the limit mid-turn (the overshoot). */
  fraction: number
  /** Names the period (`2026-12-06`, `2026-12`): a notice is sent once per scope, limit and key. */
  key: string
  resetsAt: number
}

export const WARN_FRACTION = 0.8

const LIMITS: Array<{ field: keyof Omit<BudgetLimits, 'policy'>; period: Period; unit: BudgetUnit }> = [
  { field: 'dailyUsd', period: 'daily', unit: 'usd' },
  { field: 'monthlyUsd', period: 'monthly', unit: 'usd' },
  { field: 'dailyTokens', period: 'daily', unit: 'tokens' },
  { field: 'monthlyTokens', period: 'monthly', unit: 'tokens' },
]

export function hasLimits(l: BudgetLimits | undefined): boolean {
  return LIMITS.some((x) => l?.[x.field] !== undefined)
}

/**
 * Every limit of one scope with what was used in its current period. `used` sums the stored runs
 * plus what live runs reported so far (the gate passes both).
 */
export function budgetLines(
  scope: string,
  limits: BudgetLimits | undefined,
  now: number,
  timezone: string,
  used: (range: UsageRange) => UsageTotals,
): BudgetLine[] {
  const lines: BudgetLine[] = []
  for (const { field, period, unit } of LIMITS) {
    const limit = limits?.[field]
    if (limit === undefined) continue
    const p = periodOf(now, timezone, period)
    const totals = used({ from: p.start, to: p.end, groupFolder: scope === 'global' ? undefined : scope })
    const value = unit === 'usd' ? totals.costUsd : totalTokens(totals)
    lines.push({
      scope,
      period,
      unit,
      limit,
      used: value,
      // Rounded: four cents of a five-cent budget is 0.8, not 0.7999999999999999.
      fraction: limit > 0 ? Math.round((value / limit) * 1e6) / 1e6 : value > 0 ? Infinity : 1,
      key: p.key,
      resetsAt: p.end,
    })
  }
  return lines
}

export function formatAmount(unit: BudgetUnit, n: number): string {
  if (unit === 'usd') return formatUsd(n)
  const whole = Math.round(n)
  return `${whole.toLocaleString('en-US')} ${whole === 1 ? 'token' : 'tokens'}`
}

/** `00:00 Europe/Berlin` for a daily reset, `2027-01-01 00:00 Europe/Berlin` for a monthly one. */
export function formatReset(line: Pick<BudgetLine, 'period' | 'resetsAt'>, timezone: string): string {
  if (line.period === 'daily') return `at 00:00 ${timezone}`
  const d = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, dateStyle: 'short' }).format(line.resetsAt)
  return `on ${d} at 00:00 ${timezone}`
}

export function reachedText(line: BudgetLine, timezone: string, policy: BudgetPolicy): string {
  const over = line.used > line.limit ? `, ${formatAmount(line.unit, line.used)} used` : ''
  const after =
    policy === 'drop'
      ? 'Messages sent until then are not answered.'
      : 'Your messages are kept and answered then, or as soon as the budget is raised.'
  const who = line.scope === 'global' ? 'All groups together reached the global' : 'This group reached its'
  return `${who} ${line.period} budget of ${formatAmount(line.unit, line.limit)}${over}; it resets ${formatReset(line, timezone)}. ${after}`
}

export function warningText(line: BudgetLine): string {
  const who = line.scope === 'global' ? 'All groups together have' : `Group "${line.scope}" has`
  return `${who} used ${Math.floor(line.fraction * 100)}% of the ${line.period} budget (${formatAmount(line.unit, line.used)} of ${formatAmount(line.unit, line.limit)}).`
}
