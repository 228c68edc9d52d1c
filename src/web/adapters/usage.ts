import type { Config } from '../../config/schema.ts'
import { budgetLines } from '../../core/budget/limits.ts'
import { periodOf } from '../../core/budget/periods.ts'
import type { BudgetLimits } from '../../core/types.ts'
import { usageReport } from '../../core/usage/report.ts'
import { percentile } from '../../core/usage/sum.ts'
import type { Repos } from '../../db/repos/index.ts'
import type { UsageService } from '../services.ts'

const CHART_DAYS = 30
const EMPTY = {
  runs: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheWriteTokens: 0,
  cacheReadTokens: 0,
  costUsd: 0,
  apiCalls: 0,
  apiMs: 0,
}

/** The global budget from the config (ngb.toml [budget], NGB_BUDGET_*). */
export function globalBudget(config: Config): BudgetLimits {
  return {
    dailyUsd: config.budgetDailyUsd,
    monthlyUsd: config.budgetMonthlyUsd,
    dailyTokens: config.budgetDailyTokens,
    monthlyTokens: config.budgetMonthlyTokens,
    policy: config.budgetPolicy,
  }
}

/** Usage sums and budget standings over the runs table. */
export function createWebUsage(deps: {
  repos: Pick<Repos, 'usage' | 'groups'>
  config: Config
  now: () => number
}): UsageService {
  const { repos, config } = deps
  const used = (range: Parameters<typeof repos.usage.totals>[0]) => repos.usage.totals(range)
  return {
    report: (query) => usageReport(repos.usage, query, deps.now(), config.timezone),
    charts(group) {
      const now = deps.now()
      const tz = config.timezone
      // The last 30 local days, oldest first, stepping back one local day at a time (DST-safe).
      const keys: string[] = []
      let start = periodOf(now, tz, 'daily').start
      keys.unshift(periodOf(start, tz, 'daily').key)
      for (let i = 1; i < CHART_DAYS; i++) {
        start = periodOf(start - 1, tz, 'daily').start
        keys.unshift(periodOf(start, tz, 'daily').key)
      }
      const report = usageReport(repos.usage, { since: String(start), group }, now, tz)
      const byDay = new Map(report.days.map((d) => [d.day, d]))
      const durations = repos.usage.durations({ from: start, groupFolder: group })
      return {
        timezone: tz,
        days: keys.map((day) => byDay.get(day) ?? { day, ...EMPTY }),
        groups: report.groups,
        p50: percentile(durations, 50),
        p95: percentile(durations, 95),
      }
    },
    budgets() {
      const now = deps.now()
      const month = usageReport(repos.usage, { since: 'month' }, now, config.timezone)
      const today = usageReport(repos.usage, { since: 'today' }, now, config.timezone)
      const rowOf = (rows: typeof month.groups, folder: string) => rows.find((r) => r.key === folder)
      return {
        timezone: config.timezone,
        global: budgetLines('global', globalBudget(config), now, config.timezone, used),
        groups: repos.groups
          .list()
          .map((g) => ({
            folder: g.folder,
            name: g.name,
            todayUsd: rowOf(today.groups, g.folder)?.costUsd ?? 0,
            monthUsd: rowOf(month.groups, g.folder)?.costUsd ?? 0,
            monthTokens: (() => {
              const r = rowOf(month.groups, g.folder)
              return r ? r.inputTokens + r.outputTokens + r.cacheWriteTokens + r.cacheReadTokens : 0
            })(),
            policy: g.settings.budget?.policy ?? config.budgetPolicy,
            lines: budgetLines(g.folder, g.settings.budget, now, config.timezone, used),
          }))
          .sort((a, b) => b.monthUsd - a.monthUsd || a.folder.localeCompare(b.folder)),
      }
    },
  }
}
