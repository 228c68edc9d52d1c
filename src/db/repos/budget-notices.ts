import type { Database } from 'bun:sqlite'

export interface BudgetNoticesRepo {
  /** Records the notice; true the first time for this scope, period and kind (then send it). */
  once(scope: string, period: string, kind: 'warning' | 'reached', now: number): boolean
}

export function createBudgetNoticesRepo(db: Database): BudgetNoticesRepo {
  return {
    once: (scope, period, kind, now) =>
      db.run('INSERT OR IGNORE INTO budget_notices (scope, period, kind, sent_at) VALUES (?, ?, ?, ?)', [
        scope,
        period,
        kind,
        now,
      ]).changes > 0,
  }
}
