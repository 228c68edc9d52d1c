import type { TasksRepo } from '../../db/repos/tasks.ts'
import type { Clock, TimerHandle } from '../../util/clock.ts'
import type { Logger } from '../../util/log.ts'
import type { EventBus } from '../events.ts'
import type { Task } from '../types.ts'

export interface SchedulerDeps {
  tasks: Pick<TasksRepo, 'due' | 'nextDueAt'>
  /** Hands a due task to the per-group queue; the queue calls runTask, which publishes task.finished. */
  enqueueTask: (task: Task) => void
  bus: EventBus
  clock: Clock
  log: Logger
}

export interface SchedulerOptions {
  /**
   * The longest the timer sleeps before looking again. Timers follow a monotonic clock while
   * next_run_at is wall time, so a long sleep would miss a wall-clock jump (NTP, suspend).
   */
  maxSleepMs?: number
}

export interface Scheduler {
  /** Fires whatever is already due (at most once per task: the catch-up), then arms the timer. */
  start(): void
  /** Clears the timer and unsubscribes; nothing keeps the process alive afterwards. */
  stop(): void
  /** Re-reads the earliest due time (the bus does this for task.* events). */
  rearm(): void
  /** Ids handed to the queue whose task.finished has not arrived yet. */
  inFlight(): string[]
}

/**
 * One timer, set for the earliest next_run_at and re-armed on every task change: no polling loop.
 * A fired task stays "in flight" until its task.finished, so a slow run is never fired twice;
 * runTask moves next_run_at on, which is what skips the slots missed while it ran or while ngb
 * was down.
 */
export function createScheduler(deps: SchedulerDeps, opts: SchedulerOptions = {}): Scheduler {
  const maxSleepMs = opts.maxSleepMs ?? 3_600_000
  const log = deps.log.child({ component: 'scheduler' })
  const inFlight = new Set<string>()
  let timer: TimerHandle | undefined
  let running = false
  let unsubscribe: Array<() => void> = []

  function fire() {
    timer = undefined
    if (!running) return
    const now = deps.clock.now()
    for (const task of deps.tasks.due(now)) {
      if (inFlight.has(task.id)) continue
      inFlight.add(task.id)
      log.debug('task due', { task: task.id, group: task.groupFolder, lateMs: now - (task.nextRunAt ?? now) })
      try {
        deps.enqueueTask(task)
      } catch (error) {
        inFlight.delete(task.id)
        log.error('could not enqueue task', { task: task.id, error })
      }
    }
    arm()
  }

  function arm() {
    if (timer) deps.clock.clearTimeout(timer)
    timer = undefined
    if (!running) return
    const next = deps.tasks.nextDueAt([...inFlight])
    if (next === undefined) return
    const delay = Math.min(Math.max(0, next - deps.clock.now()), maxSleepMs)
    timer = deps.clock.setTimeout(fire, delay)
  }

  return {
    start() {
      if (running) return
      running = true
      unsubscribe = [
        deps.bus.on('task.created', arm),
        deps.bus.on('task.updated', arm),
        deps.bus.on('task.deleted', (e) => {
          inFlight.delete(e.task.id)
          arm()
        }),
        deps.bus.on('task.finished', (e) => {
          inFlight.delete(e.task.id)
          arm()
        }),
      ]
      fire()
    },
    stop() {
      running = false
      for (const off of unsubscribe) off()
      unsubscribe = []
      if (timer) deps.clock.clearTimeout(timer)
      timer = undefined
      inFlight.clear()
    },
    rearm: arm,
    inFlight: () => [...inFlight],
  }
}
