import type { Database } from 'bun:sqlite'
import { NotFoundError } from '../../core/errors.ts'
import type { ContextMode, RunStatus, ScheduleType, Task, TaskRun, TaskStatus } from '../../core/types.ts'

interface TaskRow {
  id: string
  group_folder: string
  chat_jid: string
  prompt: string
  schedule_type: ScheduleType
  schedule_value: string
  context_mode: ContextMode
  status: TaskStatus
  next_run_at: number | null
  last_run_at: number | null
  last_result: string | null
  created_at: number
}

const toTask = (r: TaskRow): Task => ({
  id: r.id,
  groupFolder: r.group_folder,
  chatJid: r.chat_jid,
  prompt: r.prompt,
  scheduleType: r.schedule_type,
  scheduleValue: r.schedule_value,
  contextMode: r.context_mode,
  status: r.status,
  nextRunAt: r.next_run_at ?? undefined,
  lastRunAt: r.last_run_at ?? undefined,
  lastResult: r.last_result ?? undefined,
  createdAt: r.created_at,
})

interface TaskRunRow {
  id: number
  task_id: string
  run_id: string | null
  started_at: number
  finished_at: number | null
  status: RunStatus
  result: string | null
  error: string | null
}

const toTaskRun = (r: TaskRunRow): TaskRun => ({
  id: r.id,
  taskId: r.task_id,
  runId: r.run_id ?? undefined,
  startedAt: r.started_at,
  finishedAt: r.finished_at ?? undefined,
  status: r.status,
  result: r.result ?? undefined,
  error: r.error ?? undefined,
})

export type TaskPatch = Partial<
  Pick<
    Task,
    | 'status'
    | 'nextRunAt'
    | 'lastRunAt'
    | 'lastResult'
    | 'prompt'
    | 'chatJid'
    | 'scheduleType'
    | 'scheduleValue'
    | 'contextMode'
  >
>

export interface TasksRepo {
  create(task: Task): Task
  get(id: string): Task | undefined
  list(opts?: { groupFolder?: string }): Task[]
  /** Active tasks whose next run is at or before `now`, oldest due first. */
  due(now: number): Task[]
  /** The earliest next run of an active task, skipping `exclude` (tasks already handed to the queue). */
  nextDueAt(exclude?: readonly string[]): number | undefined
  update(id: string, patch: TaskPatch): Task
  remove(id: string): boolean
  startRun(taskId: string, startedAt: number, runId?: string): number
  finishRun(runRowId: number, finishedAt: number, status: RunStatus, result?: string, error?: string): void
  runs(taskId: string, limit?: number): TaskRun[]
  /** Marks runs still 'running' (ngb stopped during them) as errors; returns how many. */
  closeStaleRuns(now: number): number
}

export function createTasksRepo(db: Database): TasksRepo {
  const getQ = db.query<TaskRow, [string]>('SELECT * FROM tasks WHERE id = ?')
  const repo: TasksRepo = {
    create(t) {
      db.run(
        `INSERT INTO tasks (id, group_folder, chat_jid, prompt, schedule_type, schedule_value, context_mode, status, next_run_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          t.id,
          t.groupFolder,
          t.chatJid,
          t.prompt,
          t.scheduleType,
          t.scheduleValue,
          t.contextMode,
          t.status,
          t.nextRunAt ?? null,
          t.createdAt,
        ],
      )
      return t
    },
    get(id) {
      const r = getQ.get(id)
      return r ? toTask(r) : undefined
    },
    list(opts = {}) {
      const rows = opts.groupFolder
        ? db
            .query<TaskRow, [string]>('SELECT * FROM tasks WHERE group_folder = ? ORDER BY created_at')
            .all(opts.groupFolder)
        : db.query<TaskRow, []>('SELECT * FROM tasks ORDER BY created_at').all()
      return rows.map(toTask)
    },
    due: (now) =>
      db
        .query<TaskRow, [number]>(
          "SELECT * FROM tasks WHERE status = 'active' AND next_run_at IS NOT NULL AND next_run_at <= ? ORDER BY next_run_at",
        )
        .all(now)
        .map(toTask),
    nextDueAt: (exclude = []) =>
      db
        .query<{ t: number | null }, [string]>(
          `SELECT min(next_run_at) AS t FROM tasks WHERE status = 'active' AND next_run_at IS NOT NULL
           AND id NOT IN (SELECT value FROM json_each(?))`,
        )
        .get(JSON.stringify(exclude))?.t ?? undefined,
    update(id, patch) {
      const current = repo.get(id)
      if (!current) throw new NotFoundError(`task "${id}" does not exist`)
      const next = { ...current, ...patch }
      db.run(
        `UPDATE tasks SET status = ?, next_run_at = ?, last_run_at = ?, last_result = ?, prompt = ?,
         chat_jid = ?, schedule_type = ?, schedule_value = ?, context_mode = ? WHERE id = ?`,
        [
          next.status,
          next.nextRunAt ?? null,
          next.lastRunAt ?? null,
          next.lastResult ?? null,
          next.prompt,
          next.chatJid,
          next.scheduleType,
          next.scheduleValue,
          next.contextMode,
          id,
        ],
      )
      return next
    },
    remove: (id) => db.run('DELETE FROM tasks WHERE id = ?', [id]).changes > 0,
    startRun(taskId, startedAt, runId) {
      const row = db
        .query<{ id: number }, [string, string | null, number]>(
          "INSERT INTO task_runs (task_id, run_id, started_at, status) VALUES (?, ?, ?, 'running') RETURNING id",
        )
        .get(taskId, runId ?? null, startedAt)
      if (!row) throw new Error('task_runs insert returned no row')
      return row.id
    },
    finishRun(id, finishedAt, status, result, error) {
      db.run('UPDATE task_runs SET finished_at = ?, status = ?, result = ?, error = ? WHERE id = ?', [
        finishedAt,
        status,
        result ?? null,
        error ?? null,
        id,
      ])
    },
    closeStaleRuns: (now) =>
      db.run(
        "UPDATE task_runs SET status = 'error', finished_at = ?, error = 'ngb stopped during this run' WHERE status = 'running'",
        [now],
      ).changes,
    runs: (taskId, limit = 50) =>
      db
        .query<TaskRunRow, [string, number]>(
          'SELECT * FROM task_runs WHERE task_id = ? ORDER BY id DESC LIMIT ?',
        )
        .all(taskId, limit)
        .map(toTaskRun),
  }
  return repo
}
