import { Cron } from 'croner'
import { InvalidInputError, NotFoundError } from '../../core/errors.ts'
import type { EventBus } from '../../core/events.ts'
import type { ScheduleType, Task } from '../../core/types.ts'
import type { Repos } from '../../db/repos/index.ts'
import type { TasksService } from '../services.ts'

export interface FallbackTasksDeps {
  repos: Pick<Repos, 'tasks' | 'groups' | 'chats'>
  bus: EventBus
  now: () => number
  timezone: string
  /** The chat a task reports to when none is given (the dashboard chat of the group). */
  defaultChatOf: (folder: string) => string
}

const INTERVAL = /^(\d+)\s*(s|m|h|d)$/

/** The first run of a schedule, or an InvalidInputError naming what is wrong with it. */
export function firstRunAt(type: ScheduleType, value: string, now: number, timezone: string): number {
  if (type === 'interval') {
    const m = INTERVAL.exec(value.trim())
    const ms = m
      ? Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's']
      : Number.NaN
    if (!Number.isFinite(ms) || ms < 10_000)
      throw new InvalidInputError(
        'an interval is a number and a unit, at least 10s (e.g. 30m, 2h)',
        'scheduleValue',
      )
    return now + ms
  }
  if (type === 'once') {
    const at = Date.parse(value)
    if (Number.isNaN(at))
      throw new InvalidInputError('expected a date and time such as 2030-01-31T09:00', 'scheduleValue')
    if (at <= now) throw new InvalidInputError('that time is in the past', 'scheduleValue')
    return at
  }
  let job: Cron | undefined
  try {
    job = new Cron(value, { timezone, paused: true })
    const next = job.nextRun(new Date(now))
    if (!next) throw new InvalidInputError('this cron expression never fires', 'scheduleValue')
    return next.getTime()
  } catch (error) {
    if (error instanceof InvalidInputError) throw error
    throw new InvalidInputError(`not a valid cron expression: ${String(error)}`, 'scheduleValue')
  } finally {
    job?.stop()
  }
}

/** Task management over the repos until the core tasks service is wired in. */
export function createFallbackTasks(deps: FallbackTasksDeps): TasksService {
  const { repos, bus } = deps
  const publish = (type: 'task.created' | 'task.updated' | 'task.deleted', task: Task) =>
    bus.publish({ type, group: task.groupFolder, task })
  const service: TasksService = {
    list: (opts) => repos.tasks.list(opts),
    get(id) {
      const t = repos.tasks.get(id)
      if (!t) throw new NotFoundError(`task "${id}" does not exist`)
      return t
    },
    create(input) {
      if (!repos.groups.get(input.groupFolder))
        throw new InvalidInputError(`group "${input.groupFolder}" does not exist`, 'groupFolder')
      const now = deps.now()
      const task: Task = {
        id: crypto.randomUUID().slice(0, 12),
        groupFolder: input.groupFolder,
        chatJid: input.chatJid ?? deps.defaultChatOf(input.groupFolder),
        prompt: input.prompt,
        scheduleType: input.scheduleType,
        scheduleValue: input.scheduleValue.trim(),
        contextMode: input.contextMode ?? 'isolated',
        status: 'active',
        nextRunAt: firstRunAt(input.scheduleType, input.scheduleValue, now, deps.timezone),
        createdAt: now,
      }
      repos.tasks.create(task)
      publish('task.created', task)
      return task
    },
    updatePrompt(id, prompt) {
      service.get(id)
      const t = repos.tasks.update(id, { prompt })
      publish('task.updated', t)
      return t
    },
    pause(id) {
      service.get(id)
      const t = repos.tasks.update(id, { status: 'paused' })
      publish('task.updated', t)
      return t
    },
    resume(id) {
      const cur = service.get(id)
      const nextRunAt =
        cur.nextRunAt && cur.nextRunAt > deps.now()
          ? cur.nextRunAt
          : cur.scheduleType === 'once'
            ? deps.now()
            : firstRunAt(cur.scheduleType, cur.scheduleValue, deps.now(), deps.timezone)
      const t = repos.tasks.update(id, { status: 'active', nextRunAt })
      publish('task.updated', t)
      return t
    },
    remove(id) {
      const t = service.get(id)
      repos.tasks.remove(id)
      publish('task.deleted', t)
    },
    runNow(id) {
      service.get(id)
      const t = repos.tasks.update(id, { status: 'active', nextRunAt: deps.now() })
      publish('task.updated', t)
      return t
    },
    runs: (id, limit) => {
      service.get(id)
      return repos.tasks.runs(id, limit)
    },
  }
  return service
}
