import type { SessionsRepo } from '../../db/repos/sessions.ts'
import type { TasksRepo } from '../../db/repos/tasks.ts'
import type { Clock } from '../../util/clock.ts'
import type { Logger } from '../../util/log.ts'
import type { AgentImage } from '../container/image-watch.ts'
import { errorMessage } from '../errors.ts'
import type { EventBus } from '../events.ts'
import type { WriteSnapshots } from '../ipc/snapshots.ts'
import type { DeliveryRequest, DeliveryResult } from '../outbound/deliver.ts'
import { stripInternal } from '../prompt.ts'
import type { RunTask } from '../queue/group-queue.ts'
import type { AgentRunner, TurnHandle, TurnOutcome } from '../runner/types.ts'
import type { Group, RunStatus, Task } from '../types.ts'
import { nextRun } from './next-run.ts'

export interface RunTaskDeps {
  tasks: Pick<TasksRepo, 'get' | 'update' | 'startRun' | 'finishRun'>
  groups: { get(folder: string): Group | undefined }
  sessions: Pick<SessionsRepo, 'get' | 'set' | 'clear'>
  runner: AgentRunner
  /**
   * Sends one agent result to a chat (strip <internal>, plugins, chunking, store: delivery's job).
   * Shaped like Outbound.deliver; `sent: false` for a reason other than an empty/dropped text
   * (no channel for the chat) counts as a failed delivery.
   */
  deliver: (req: DeliveryRequest) => Promise<DeliveryResult>
  /** Writes the agent's snapshots (current_tasks.json, available_groups.json) before the run. */
  writeSnapshots: WriteSnapshots
  /** Held before the run while the agent image is missing (serve). */
  agentImage?: AgentImage
  bus: EventBus
  clock: Clock
  log: Logger
  timezone: string
}

/** Empty (all <internal>), dropped by a plugin or for a deleted group: nothing to send, no failure. */
export function deliveryFailure(result: DeliveryResult): string | undefined {
  if (
    result.sent ||
    result.reason === 'empty' ||
    result.reason === 'plugin' ||
    result.reason === 'group_removed'
  )
    return undefined
  return result.reason === 'no_channel' ? 'no channel can send to this chat' : result.reason
}

const LAST_RESULT_CHARS = 200

/** `group` shares the group's conversation; `isolated` keeps one session per task. */
export function sessionScope(task: Pick<Task, 'id' | 'contextMode'>): string {
  return task.contextMode === 'group' ? 'group' : `task:${task.id}`
}

function summarise(outcome: TurnOutcome | undefined, error: string | undefined): string {
  if (error) return `Error: ${error}`.slice(0, LAST_RESULT_CHARS)
  const text = stripInternal((outcome?.results ?? []).join('\n'))
  return text === '' ? 'Completed' : text.slice(0, LAST_RESULT_CHARS)
}

/**
 * One scheduled run: a single agent turn with the task prompt, results delivered to the task's
 * chat in order, a task_runs row, task.started/finished events, and next_run_at moved on from the
 * slot this run was scheduled for (so intervals keep their grid and missed slots are skipped).
 */
export function createRunTask(deps: RunTaskDeps): RunTask {
  const log = deps.log.child({ component: 'run-task' })

  async function turn(
    group: Group,
    task: Task,
    sessionId: string | undefined,
    onRunId: (id: string) => void,
  ) {
    let delivered: Promise<unknown> = Promise.resolve()
    const deliveryErrors: string[] = []
    let answered = false
    let handle: TurnHandle | undefined
    handle = deps.runner.start({
      group,
      prompt: task.prompt,
      chatJid: task.chatJid,
      trigger: 'task',
      sessionId,
      isScheduledTask: true,
      taskId: task.id,
      onFrame(frame) {
        // Task runs never take follow-ups: once the agent has answered, let the container finish.
        if (frame.type === 'result' || frame.type === 'error') {
          answered = true
          handle?.close()
        }
        if (frame.type !== 'result' || frame.text.trim() === '') return
        delivered = delivered
          .then(async () => {
            const failure = deliveryFailure(
              await deps.deliver({ chatJid: task.chatJid, text: frame.text, group: group.folder }),
            )
            if (failure) throw new Error(failure)
          })
          .catch((err: unknown) => {
            deliveryErrors.push(errorMessage(err))
            log.error('task result not delivered', { task: task.id, chat: task.chatJid, error: err })
          })
      },
    })
    if (answered) handle.close()
    onRunId(handle.runId)
    const outcome = await handle.done
    await delivered
    return { outcome, deliveryErrors }
  }

  function advance(started: Task, startedAt: number, lastResult: string) {
    const current = deps.tasks.get(started.id)
    if (!current) return undefined
    const now = deps.clock.now()
    const sameSchedule =
      current.scheduleType === started.scheduleType && current.scheduleValue === started.scheduleValue
    if (!sameSchedule) return deps.tasks.update(current.id, { lastRunAt: startedAt, lastResult })
    const slot = started.nextRunAt ?? startedAt
    const next = nextRun(current, slot, now, deps.timezone)
    return deps.tasks.update(current.id, {
      lastRunAt: startedAt,
      lastResult,
      nextRunAt: next,
      status: current.scheduleType === 'once' ? 'completed' : current.status,
    })
  }

  return async function runTask(queued) {
    const task = deps.tasks.get(queued.id)
    let finishedTask: Task = task ?? queued
    let status: RunStatus | 'skipped' = 'skipped'
    let runId: string | undefined
    try {
      // Re-read: the task may have been paused, edited or cancelled while it waited in the queue.
      if (task?.status !== 'active') {
        log.info('task skipped: no longer active', { task: queued.id, status: task?.status ?? 'deleted' })
        return
      }
      const startedAt = deps.clock.now()
      const group = deps.groups.get(task.groupFolder)
      if (!group) {
        const error = `group "${task.groupFolder}" no longer exists`
        deps.tasks.finishRun(deps.tasks.startRun(task.id, startedAt), startedAt, 'error', undefined, error)
        log.error('task run failed', { task: task.id, error })
        status = 'error'
        finishedTask = advance(task, startedAt, `Error: ${error}`) ?? task
        return
      }
      const scope = sessionScope(task)
      let rowId: number | undefined
      const start = (id: string) => {
        runId = id
        rowId = deps.tasks.startRun(task.id, startedAt, id)
        deps.bus.publish({ type: 'task.started', group: group.folder, task, runId: id })
      }
      await deps.agentImage?.ready()
      deps.writeSnapshots(group)
      let outcome: TurnOutcome | undefined
      let error: string | undefined
      let deliveryErrors: string[] = []
      try {
        let r = await turn(group, task, deps.sessions.get(group.folder, scope), start)
        if (r.outcome.errorKind === 'session_invalid' && r.outcome.results.length === 0) {
          // A stale session id would fail every run of this task; start afresh once.
          log.warn('task session rejected; retrying with a new session', { task: task.id })
          deps.sessions.clear(group.folder, scope)
          if (rowId !== undefined)
            deps.tasks.finishRun(rowId, deps.clock.now(), 'error', undefined, r.outcome.error)
          r = await turn(group, task, undefined, start)
        }
        outcome = r.outcome
        deliveryErrors = r.deliveryErrors
        if (outcome.sessionId) deps.sessions.set(group.folder, outcome.sessionId, deps.clock.now(), scope)
        if (outcome.status !== 'ok') error = outcome.error ?? `agent run ended with ${outcome.status}`
        else if (deliveryErrors.length > 0) error = `delivery failed: ${deliveryErrors.join('; ')}`
        status = outcome.status === 'ok' && deliveryErrors.length > 0 ? 'error' : outcome.status
      } catch (err) {
        error = errorMessage(err)
        status = 'error'
      }
      const finishedAt = deps.clock.now()
      if (rowId === undefined) rowId = deps.tasks.startRun(task.id, startedAt)
      const resultText = outcome?.results.join('\n')
      deps.tasks.finishRun(rowId, finishedAt, status, resultText, error)
      log.info('task run finished', {
        task: task.id,
        group: group.folder,
        status,
        ms: finishedAt - startedAt,
      })
      finishedTask = advance(task, startedAt, summarise(outcome, error)) ?? task
    } finally {
      // Always announce the end, so the scheduler's in-flight guard releases the task.
      deps.bus.publish({
        type: 'task.finished',
        group: finishedTask.groupFolder,
        task: finishedTask,
        runId,
        status,
      })
    }
  }
}
