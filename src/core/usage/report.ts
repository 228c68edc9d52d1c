import type { UsageRepo, UsageRow, UsageTotals } from '../../db/repos/usage.ts'
import { dayKey, periodOf } from '../budget/periods.ts'
import { InvalidInputError } from '../errors.ts'

export interface UsageQuery {
  /** `7d`, `24h`, `30m`, `today`, `month`, a date (`2026-12-01`, local midnight), ISO time or epoch ms. */
  since?: string
  until?: string
  group?: string
}

export interface UsageDay extends UsageTotals {
  /** The local day, `2026-12-06`. */
  day: string
}

export interface UsageReport {
  from?: number
  to?: number
  timezone: string
  group?: string
  totals: UsageTotals
  groups: UsageRow[]
  chats: UsageRow[]
  tasks: UsageRow[]
  models: UsageRow[]
  days: UsageDay[]
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 }

/** A point in time from the forms UsageQuery accepts; throws InvalidInputError naming the field. */
export function parseWhen(value: string, field: string, now: number, timezone: string): number {
  const v = value.trim()
  const rel = /^(\d+)\s*([mhd])$/.exec(v)
  if (rel?.[1] && rel[2]) return now - Number(rel[1]) * (UNITS[rel[2]] ?? 0)
  if (v === 'today') return periodOf(now, timezone, 'daily').start
  if (v === 'month') return periodOf(now, timezone, 'monthly').start
  if (/^\d{10,}$/.test(v)) return Number(v)
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v)
  if (date) {
    // A date means its local midnight: the start of that day in the configured time zone.
    const noonUtc = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), 12)
    return periodOf(noonUtc, timezone, 'daily').start
  }
  const t = Date.parse(v)
  if (Number.isNaN(t))
    throw new InvalidInputError(
      `${field}: expected 7d, 24h, today, month, a date such as 2026-12-01 or an ISO time; not "${value}"`,
      field,
    )
  return t
}

function emptyTotals(): UsageTotals {
  return {
    runs: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheWriteTokens: 0,
    cacheReadTokens: 0,
    costUsd: 0,
    apiCalls: 0,
    apiMs: 0,
  }
}

function add(a: UsageTotals, b: UsageTotals): UsageTotals {
  return {
    runs: a.runs + b.runs,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    costUsd: Math.round((a.costUsd + b.costUsd) * 1e9) / 1e9,
    apiCalls: a.apiCalls + b.apiCalls,
    apiMs: a.apiMs + b.apiMs,
  }
}

/** Usage summed over a time range: totals, per group, chat, task, model and local day. */
export function usageReport(repo: UsageRepo, query: UsageQuery, now: number, timezone: string): UsageReport {
  const from = query.since ? parseWhen(query.since, 'since', now, timezone) : undefined
  const to = query.until ? parseWhen(query.until, 'until', now, timezone) : undefined
  const range = { from, to, groupFolder: query.group }
  const days = new Map<string, UsageTotals>()
  for (const b of repo.buckets(range)) {
    const key = dayKey(b.start, timezone)
    days.set(key, add(days.get(key) ?? emptyTotals(), b))
  }
  return {
    from,
    to,
    timezone,
    group: query.group,
    totals: repo.totals(range),
    groups: repo.by('group', range),
    chats: repo.by('chat', range),
    tasks: repo.by('task', range).filter((r) => r.key !== ''),
    models: repo.by('model', range),
    days: [...days].map(([day, t]) => ({ day, ...t })),
  }
}
