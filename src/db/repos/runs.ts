import type { Database } from 'bun:sqlite'
import type { Run, RunStatus, RunTrigger, RunUsage } from '../../core/types.ts'

interface Row {
  id: string
  group_folder: string
  trigger: RunTrigger
  container_name: string | null
  started_at: number
  first_output_at: number | null
  finished_at: number | null
  exit_code: number | null
  status: RunStatus
  error: string | null
  bytes_out: number
  log_path: string | null
  chat_jid: string | null
  task_id: string | null
  session_id: string | null
  input_tokens: number
  output_tokens: number
  cache_write_tokens: number
  cache_read_tokens: number
  cost_usd: number
  model: string | null
  api_calls: number
  api_ms: number
}

const toRun = (r: Row): Run => ({
  id: r.id,
  groupFolder: r.group_folder,
  trigger: r.trigger,
  containerName: r.container_name ?? undefined,
  startedAt: r.started_at,
  firstOutputAt: r.first_output_at ?? undefined,
  finishedAt: r.finished_at ?? undefined,
  exitCode: r.exit_code ?? undefined,
  status: r.status,
  error: r.error ?? undefined,
  bytesOut: r.bytes_out,
  logPath: r.log_path ?? undefined,
  chatJid: r.chat_jid ?? undefined,
  taskId: r.task_id ?? undefined,
  sessionId: r.session_id ?? undefined,
  usage: {
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    cacheWriteTokens: r.cache_write_tokens,
    cacheReadTokens: r.cache_read_tokens,
    costUsd: r.cost_usd,
    model: r.model ?? undefined,
    apiCalls: r.api_calls,
    apiMs: r.api_ms,
  },
})

export interface RunFinish {
  finishedAt: number
  firstOutputAt?: number
  exitCode?: number
  status: Exclude<RunStatus, 'running'>
  error?: string
  bytesOut: number
  sessionId?: string
  usage?: RunUsage
}

/** The usage runs of one agent session recorded (a resumed session's provider reports totals). */
export type SessionUsage = Omit<RunUsage, 'model' | 'apiCalls'>

export interface RunsRepo {
  start(
    run: Pick<Run, 'id' | 'groupFolder' | 'trigger' | 'containerName' | 'startedAt' | 'logPath'> &
      Partial<Pick<Run, 'chatJid' | 'taskId' | 'sessionId'>>,
  ): void
  finish(id: string, f: RunFinish): void
  get(id: string): Run | undefined
  list(opts?: { groupFolder?: string; limit?: number }): Run[]
  running(): Run[]
  /** Sum of what the runs of this agent session recorded. */
  sessionUsage(sessionId: string): SessionUsage
  /** Runs left 'running' by a crash are closed as errors at start-up. */
  closeStale(now: number): number
}

export function createRunsRepo(db: Database): RunsRepo {
  return {
    start(r) {
      db.run(
        `INSERT INTO runs (id, group_folder, trigger, container_name, started_at, status, log_path,
           chat_jid, task_id, session_id)
         VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)`,
        [
          r.id,
          r.groupFolder,
          r.trigger,
          r.containerName ?? null,
          r.startedAt,
          r.logPath ?? null,
          r.chatJid ?? null,
          r.taskId ?? null,
          r.sessionId ?? null,
        ],
      )
    },
    finish(id, f) {
      const u = f.usage
      db.run(
        `UPDATE runs SET finished_at = ?, first_output_at = ?, exit_code = ?, status = ?, error = ?, bytes_out = ?,
           session_id = COALESCE(?, session_id), input_tokens = ?, output_tokens = ?, cache_write_tokens = ?,
           cache_read_tokens = ?, cost_usd = ?, model = ?, api_calls = ?, api_ms = ?
         WHERE id = ?`,
        [
          f.finishedAt,
          f.firstOutputAt ?? null,
          f.exitCode ?? null,
          f.status,
          f.error ?? null,
          f.bytesOut,
          f.sessionId ?? null,
          u?.inputTokens ?? 0,
          u?.outputTokens ?? 0,
          u?.cacheWriteTokens ?? 0,
          u?.cacheReadTokens ?? 0,
          u?.costUsd ?? 0,
          u?.model ?? null,
          u?.apiCalls ?? 0,
          u?.apiMs ?? 0,
          id,
        ],
      )
    },
    sessionUsage(sessionId) {
      const r = db
        .query<SessionUsage, [string]>(
          `SELECT COALESCE(SUM(input_tokens), 0) AS inputTokens, COALESCE(SUM(output_tokens), 0) AS outputTokens,
             COALESCE(SUM(cache_write_tokens), 0) AS cacheWriteTokens,
             COALESCE(SUM(cache_read_tokens), 0) AS cacheReadTokens, COALESCE(SUM(cost_usd), 0) AS costUsd,
             COALESCE(SUM(api_ms), 0) AS apiMs
           FROM runs WHERE session_id = ? AND finished_at IS NOT NULL`,
        )
        .get(sessionId)
      return (
        r ?? {
          inputTokens: 0,
          outputTokens: 0,
          cacheWriteTokens: 0,
          cacheReadTokens: 0,
          costUsd: 0,
          apiMs: 0,
        }
      )
    },
    get(id) {
      const r = db.query<Row, [string]>('SELECT * FROM runs WHERE id = ?').get(id)
      return r ? toRun(r) : undefined
    },
    list(opts = {}) {
      const limit = opts.limit ?? 100
      const rows = opts.groupFolder
        ? db
            .query<Row, [string, number]>(
              'SELECT * FROM runs WHERE group_folder = ? ORDER BY started_at DESC LIMIT ?',
            )
            .all(opts.groupFolder, limit)
        : db.query<Row, [number]>('SELECT * FROM runs ORDER BY started_at DESC LIMIT ?').all(limit)
      return rows.map(toRun)
    },
    running: () =>
      db.query<Row, []>("SELECT * FROM runs WHERE status = 'running' ORDER BY started_at").all().map(toRun),
    closeStale: (now) =>
      db.run(
        "UPDATE runs SET status = 'error', finished_at = ?, error = 'ngb stopped during this run' WHERE status = 'running'",
        [now],
      ).changes,
  }
}
