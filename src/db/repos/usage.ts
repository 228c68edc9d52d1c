import type { Database } from 'bun:sqlite'
import type { RunUsage } from '../../core/types.ts'

/** Runs started in [from, to) (epoch ms), optionally of one group. */
export interface UsageRange {
  from?: number
  to?: number
  groupFolder?: string
}

export interface UsageTotals extends Omit<RunUsage, 'model'> {
  runs: number
}

export type UsageDimension = 'group' | 'chat' | 'task' | 'model'

export interface UsageRow extends UsageTotals {
  key: string
}

/** A 15-minute bucket: every time zone's offset is a multiple of it, so buckets map onto local days. */
export interface UsageBucket extends UsageTotals {
  start: number
}

export const BUCKET_MS = 15 * 60 * 1000

export interface UsageRepo {
  totals(range?: UsageRange): UsageTotals
  by(dimension: UsageDimension, range?: UsageRange): UsageRow[]
  buckets(range?: UsageRange): UsageBucket[]
  /**
   * Time from a run's start to its first output, for percentiles: a run's container stays up for
   * follow-ups until it is idle, so start-to-finish would mostly measure the idle timeout.
   */
  durations(range?: UsageRange): number[]
}

const SUMS = `COUNT(*) AS runs, COALESCE(SUM(input_tokens), 0) AS inputTokens,
  COALESCE(SUM(output_tokens), 0) AS outputTokens, COALESCE(SUM(cache_write_tokens), 0) AS cacheWriteTokens,
  COALESCE(SUM(cache_read_tokens), 0) AS cacheReadTokens, COALESCE(SUM(cost_usd), 0) AS costUsd,
  COALESCE(SUM(api_calls), 0) AS apiCalls, COALESCE(SUM(api_ms), 0) AS apiMs`

const COLUMNS: Record<UsageDimension, string> = {
  group: 'group_folder',
  chat: "COALESCE(chat_jid, '')",
  task: "COALESCE(task_id, '')",
  model: "COALESCE(model, '')",
}

type Params = Array<string | number>

function where(range: UsageRange): { sql: string; params: Params } {
  const parts: string[] = []
  const params: Params = []
  if (range.from !== undefined) {
    parts.push('started_at >= ?')
    params.push(range.from)
  }
  if (range.to !== undefined) {
    parts.push('started_at < ?')
    params.push(range.to)
  }
  if (range.groupFolder !== undefined) {
    parts.push('group_folder = ?')
    params.push(range.groupFolder)
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params }
}

/** Costs are summed as floats; nine decimals keeps 0.1 + 0.2 from showing as 0.30000000000000004. */
const tidy = <T extends { costUsd: number }>(r: T): T => ({
  ...r,
  costUsd: Math.round(r.costUsd * 1e9) / 1e9,
})

export function createUsageRepo(db: Database): UsageRepo {
  return {
    totals(range = {}) {
      const w = where(range)
      const r = db.query<UsageTotals, Params>(`SELECT ${SUMS} FROM runs ${w.sql}`).get(...w.params)
      return tidy(
        r ?? {
          runs: 0,
          inputTokens: 0,
          outputTokens: 0,
          cacheWriteTokens: 0,
          cacheReadTokens: 0,
          costUsd: 0,
          apiCalls: 0,
          apiMs: 0,
        },
      )
    },
    by(dimension, range = {}) {
      const w = where(range)
      const col = COLUMNS[dimension]
      return db
        .query<UsageRow, Params>(
          `SELECT ${col} AS key, ${SUMS} FROM runs ${w.sql} GROUP BY ${col} ORDER BY costUsd DESC, key`,
        )
        .all(...w.params)
        .map(tidy)
    },
    buckets(range = {}) {
      const w = where(range)
      return db
        .query<UsageBucket, Params>(
          `SELECT (started_at / ${BUCKET_MS}) * ${BUCKET_MS} AS start, ${SUMS} FROM runs ${w.sql}
           GROUP BY started_at / ${BUCKET_MS} ORDER BY start`,
        )
        .all(...w.params)
        .map(tidy)
    },
    durations(range = {}) {
      const w = where(range)
      const answered = w.sql
        ? `${w.sql} AND first_output_at IS NOT NULL`
        : 'WHERE first_output_at IS NOT NULL'
      return db
        .query<{ ms: number }, Params>(`SELECT first_output_at - started_at AS ms FROM runs ${answered}`)
        .all(...w.params)
        .map((r) => r.ms)
    },
  }
}
