import type { Clock, TimerHandle } from '../../util/clock.ts'
import type { Logger } from '../../util/log.ts'
import { errorMessage } from '../errors.ts'
import type { Task } from '../types.ts'

/** The live container of a message turn, as the queue sees it. */
export interface LiveTurn {
  /** Pushes messages newer than the cursor into the running container; false if it cannot take them. */
  followUp(): boolean
  /** Ask the agent to finish as soon as it is idle (a task is waiting for this group). */
  closeWhenIdle(): void
  /** Stop the container now (shutdown deadline passed). */
  kill(): Promise<void>
}

export interface TurnControl {
  /** The turn reports its live container (and `undefined` once it has finished). */
  setLive(live: LiveTurn | undefined): void
}

export type MessageTurnResult =
  | { status: 'ok' | 'skipped'; again?: boolean }
  | { status: 'failed'; error: string; chatJid: string }

/** Signature the scheduler implements in core/scheduler/run-task.ts. */
export type RunTask = (task: Task) => Promise<void>

export interface GroupQueueDeps {
  maxConcurrent: number
  retryBaseMs: number
  maxRetries: number
  clock: Clock
  log: Logger
  runMessages(folder: string, control: TurnControl): Promise<MessageTurnResult>
  runTask: RunTask
  /** Every retry failed: the user must hear about it (never fail silently). */
  onGiveUp(folder: string, failure: { error: string; chatJid: string; attempts: number }): void
}

export interface QueueSnapshot {
  active: number
  waiting: string[]
  groups: Array<{
    folder: string
    active?: 'messages' | 'task'
    pendingMessages: boolean
    pendingTasks: number
    retryCount: number
  }>
}

export interface GroupQueue {
  /** New messages for the group: follow-up into its live container, start one, or wait for a slot. */
  enqueue(folder: string): void
  enqueueTask(task: Task): void
  snapshot(): QueueSnapshot
  /**
   * The group was deleted: forget its pending work and retries, stop its live container. Its turn
   * still finishes (the runner reports the stopped container) but never retries or re-queues.
   */
  dropGroup(folder: string): Promise<void>
  /** Stop starting work; ask live containers to finish; resolves when all turns ended or on the deadline. */
  stop(deadlineMs: number): Promise<void>
}

interface GroupState {
  folder: string
  active?: 'messages' | 'task'
  live?: LiveTurn
  pendingMessages: boolean
  pendingTasks: Task[]
  runningTaskId?: string
  retryCount: number
  retryTimer?: TimerHandle
  done?: Promise<void>
  dropped?: boolean
}

/**
 * One record per group, a global cap and a FIFO of groups waiting for a slot. When a slot frees, a
 * waiting group with a task goes first (tasks are not rediscovered from the database the way
 * messages are), then the longest-waiting group.
 */
export function createGroupQueue(deps: GroupQueueDeps): GroupQueue {
  const { log, clock } = deps
  const groups = new Map<string, GroupState>()
  const waiting: string[] = []
  let activeCount = 0
  let stopping = false
  /** Turns of deleted groups still winding down: stop() waits for them too. */
  const dropping = new Set<Promise<void>>()

  const stateOf = (folder: string): GroupState => {
    let s = groups.get(folder)
    if (!s) {
      s = { folder, pendingMessages: false, pendingTasks: [], retryCount: 0 }
      groups.set(folder, s)
    }
    return s
  }

  const hasWork = (s: GroupState) => s.pendingTasks.length > 0 || (s.pendingMessages && !s.retryTimer)

  function addWaiting(folder: string) {
    if (!waiting.includes(folder)) waiting.push(folder)
  }

  function startMessages(s: GroupState) {
    s.pendingMessages = false
    s.active = 'messages'
    activeCount++
    const control: TurnControl = {
      setLive(live) {
        s.live = live
        // Messages that arrived while the container was starting go in as the first follow-up.
        if (live && s.pendingMessages && live.followUp()) s.pendingMessages = false
        if (live && (s.pendingTasks.length > 0 || waiting.length > 0)) live.closeWhenIdle()
      },
    }
    s.done = deps
      .runMessages(s.folder, control)
      .catch((error: unknown): MessageTurnResult => {
        log.error('message turn crashed', { group: s.folder, error: errorMessage(error) })
        return { status: 'failed', error: errorMessage(error), chatJid: '' }
      })
      .then((result) => finish(s, result))
  }

  function startTask(s: GroupState, task: Task) {
    s.active = 'task'
    s.runningTaskId = task.id
    activeCount++
    s.done = deps
      .runTask(task)
      .catch((error: unknown) => {
        log.error('task run failed', { group: s.folder, task: task.id, error: errorMessage(error) })
      })
      .then(() => finish(s, { status: 'ok' }))
  }

  function scheduleRetry(s: GroupState, failure: { error: string; chatJid: string }) {
    s.retryCount++
    if (s.retryCount > deps.maxRetries) {
      const attempts = s.retryCount
      s.retryCount = 0
      log.error('giving up on the group after retries', { group: s.folder, attempts, error: failure.error })
      deps.onGiveUp(s.folder, { ...failure, attempts })
      return
    }
    const delayMs = deps.retryBaseMs * 2 ** (s.retryCount - 1)
    log.warn('agent run failed; retrying', {
      group: s.folder,
      attempt: s.retryCount,
      delayMs,
      error: failure.error,
    })
    s.retryTimer = clock.setTimeout(() => {
      s.retryTimer = undefined
      s.pendingMessages = true
      tryRun(s)
    }, delayMs)
  }

  function finish(s: GroupState, result: MessageTurnResult) {
    s.active = undefined
    s.live = undefined
    s.runningTaskId = undefined
    s.done = undefined
    activeCount--
    if (s.dropped) {
      drainWaiting()
      return
    }
    if (result.status === 'failed' && !stopping) scheduleRetry(s, result)
    else if (result.status !== 'failed') {
      if (result.status === 'ok') s.retryCount = 0
      if (result.again) s.pendingMessages = true
    }
    if (!stopping && hasWork(s)) addWaiting(s.folder)
    drainWaiting()
  }

  /** Runs the group's next piece of work if it has a slot; tasks first. */
  function runNext(s: GroupState): boolean {
    const task = s.pendingTasks.shift()
    if (task) {
      startTask(s, task)
      return true
    }
    if (s.pendingMessages && !s.retryTimer) {
      startMessages(s)
      return true
    }
    return false
  }

  /**
   * An idle container would otherwise hold its slot until the idle timeout (30 min by default) while
   * other groups wait: while anyone waits, live containers finish as soon as they have answered.
   */
  function releaseIdleSlots() {
    if (waiting.length === 0) return
    for (const other of groups.values()) other.live?.closeWhenIdle()
  }

  function drainWaiting() {
    while (!stopping && activeCount < deps.maxConcurrent && waiting.length > 0) {
      const withTask = waiting.findIndex((f) => (groups.get(f)?.pendingTasks.length ?? 0) > 0)
      const [folder] = waiting.splice(withTask === -1 ? 0 : withTask, 1)
      const s = folder ? groups.get(folder) : undefined
      if (s && !s.active) runNext(s)
    }
    releaseIdleSlots()
  }

  function tryRun(s: GroupState) {
    if (stopping || s.active || !hasWork(s)) return
    if (activeCount >= deps.maxConcurrent) {
      addWaiting(s.folder)
      releaseIdleSlots()
      return
    }
    runNext(s)
  }

  return {
    enqueue(folder) {
      if (stopping) return
      const s = stateOf(folder)
      if (s.active === 'messages' && s.live) {
        if (s.live.followUp()) return
      }
      s.pendingMessages = true
      tryRun(s)
    },
    enqueueTask(task) {
      if (stopping) return
      const s = stateOf(task.groupFolder)
      if (s.runningTaskId === task.id || s.pendingTasks.some((t) => t.id === task.id)) {
        log.debug('task already queued', { group: s.folder, task: task.id })
        return
      }
      s.pendingTasks.push(task)
      // A task never joins a live message container; ask it to wrap up so the task gets the slot.
      if (s.active === 'messages') s.live?.closeWhenIdle()
      tryRun(s)
    },
    async dropGroup(folder) {
      const s = groups.get(folder)
      if (!s) return
      groups.delete(folder)
      s.dropped = true
      if (s.retryTimer) clock.clearTimeout(s.retryTimer)
      s.retryTimer = undefined
      s.pendingMessages = false
      s.pendingTasks = []
      const i = waiting.indexOf(folder)
      if (i !== -1) waiting.splice(i, 1)
      const done = s.done
      if (done) {
        dropping.add(done)
        void done.finally(() => dropping.delete(done))
      }
      await s.live?.kill()
    },
    snapshot: () => ({
      active: activeCount,
      waiting: [...waiting],
      groups: [...groups.values()].map((s) => ({
        folder: s.folder,
        active: s.active,
        pendingMessages: s.pendingMessages,
        pendingTasks: s.pendingTasks.length,
        retryCount: s.retryCount,
      })),
    }),
    async stop(deadlineMs) {
      stopping = true
      waiting.length = 0
      for (const s of groups.values()) {
        if (s.retryTimer) clock.clearTimeout(s.retryTimer)
        s.retryTimer = undefined
        s.live?.closeWhenIdle()
      }
      const running = () =>
        [...groups.values()].flatMap((s) => (s.done ? [s.done] : [])).concat([...dropping])
      let timer: TimerHandle | undefined
      const deadline = new Promise<'deadline'>((resolve) => {
        timer = clock.setTimeout(() => resolve('deadline'), deadlineMs)
      })
      const outcome = await Promise.race([Promise.all(running()).then(() => 'done' as const), deadline])
      if (timer) clock.clearTimeout(timer)
      if (outcome === 'deadline') {
        log.warn('turns still running at the shutdown deadline; stopping their containers')
        await Promise.all([...groups.values()].map((s) => s.live?.kill()))
      }
    },
  }
}
