import type { Database } from 'bun:sqlite'
import type { Run, RunStatus, RunTrigger } from '../../core/types.ts'

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
})

export interface RunFinish {
  finishedAt: number
  firstOutputAt?: number
  exitCode?: number
  status: Exclude<RunStatus, 'running'>
  error?: string
  bytesOut: number
}

export interface RunsRepo {
  start(run: Pick<Run, 'id' | 'groupFolder' | 'trigger' | 'containerName' | 'startedAt' | 'logPath'>): void
  finish(id: string, f: RunFinish): void
  get(id: string): Run | undefined
  list(opts?: { groupFolder?: string; limit?: number }): Run[]
  running(): Run[]
  /** Runs left 'running' by a crash are closed as errors at start-up. */
  closeStale(now: number): number
}

export function createRunsRepo(db: Database): RunsRepo {
  return {
    start(r) {
      db.run(
        `INSERT INTO runs (id, group_folder, trigger, container_name, started_at, status, log_path)
         VALUES (?, ?, ?, ?, ?, 'running', ?)`,
        [r.id, r.groupFolder, r.trigger, r.containerName ?? null, r.startedAt, r.logPath ?? null],
      )
    },
    finish(id, f) {
      db.run(
        `UPDATE runs SET finished_at = ?, first_output_at = ?, exit_code = ?, status = ?, error = ?, bytes_out = ?
         WHERE id = ?`,
        [
          f.finishedAt,
          f.firstOutputAt ?? null,
          f.exitCode ?? null,
          f.status,
          f.error ?? null,
          f.bytesOut,
          id,
        ],
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
