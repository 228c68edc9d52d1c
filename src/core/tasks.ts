import type { ChatsRepo } from '../db/repos/chats.ts'
import type { GroupsRepo } from '../db/repos/groups.ts'
import type { TasksRepo } from '../db/repos/tasks.ts'
import type { Clock } from '../util/clock.ts'
import { InvalidInputError, NotFoundError } from './errors.ts'
import type { EventBus } from './events.ts'
import { dashboardChatOf, parseJid } from './jid.ts'
import { firstRun, resumeRun } from './scheduler/next-run.ts'
import type { ContextMode, ScheduleType, Task, TaskRun } from './types.ts'

export interface TasksServiceDeps {
  tasks: TasksRepo
  groups: Pick<GroupsRepo, 'get'>
  /** For the default chat of a task: the group's first bound chat. */
  chats: Pick<ChatsRepo, 'chatsOf'>
  bus: EventBus
  clock: Clock
  /** IANA zone cron expressions and offset-less `once` times are read in (config.timezone). */
  timezone: string
  newId?: () => string
}

export interface NewTask {
  groupFolder: string
  /** Where results go; absent: the group's first bound chat, else its dashboard chat `web:<folder>`. */
  chatJid?: string
  prompt: string
  scheduleType: ScheduleType | string
  scheduleValue: string
  contextMode?: ContextMode | string
}

export type TaskEdit = Partial<Omit<NewTask, 'groupFolder'>>

/** The one home of task rules: validation, status changes and next-run bookkeeping. */
export interface TasksService {
  create(input: NewTask): Task
  /** The chat a new task of this group reports to when none is named. */
  defaultChatOf(folder: string): string
  /** Throws NotFoundError for an unknown id. */
  get(id: string): Task
  list(opts?: { groupFolder?: string }): Task[]
  update(id: string, edit: TaskEdit): Task
  pause(id: string): Task
  resume(id: string): Task
  /** Deletes the task and its run history. */
  cancel(id: string): Task
  runs(id: string, limit?: number): TaskRun[]
}

const SCHEDULE_TYPES: readonly string[] = ['cron', 'interval', 'once']
const CONTEXT_MODES: readonly string[] = ['group', 'isolated']
const MAX_PROMPT_CHARS = 100_000

function newTaskId(now: number): string {
  return `task-${now}-${Math.random().toString(36).slice(2, 8)}`
}

function checkScheduleType(value: string): ScheduleType {
  if (!SCHEDULE_TYPES.includes(value)) {
    throw new InvalidInputError(
      `invalid schedule type "${value}": use cron, interval or once`,
      'scheduleType',
    )
  }
  return value as ScheduleType
}

function checkContextMode(value: string): ContextMode {
  if (!CONTEXT_MODES.includes(value)) {
    throw new InvalidInputError(
      `invalid context mode "${value}": use group (shares the group's session) or isolated`,
      'contextMode',
    )
  }
  return value as ContextMode
}

function checkPrompt(prompt: string): string {
  const p = prompt.trim()
  if (p === '') throw new InvalidInputError('the task prompt is empty', 'prompt')
  if (p.length > MAX_PROMPT_CHARS) {
    throw new InvalidInputError(`the task prompt is longer than ${MAX_PROMPT_CHARS} characters`, 'prompt')
  }
  return p
}

function checkChatJid(jid: string): string {
  parseJid(jid.trim())
  return jid.trim()
}

export function createTasksService(deps: TasksServiceDeps): TasksService {
  const { tasks, bus, clock, timezone } = deps

  function get(id: string): Task {
    const task = tasks.get(id)
    if (!task) throw new NotFoundError(`task "${id}" does not exist (see \`ngb tasks ls\`)`)
    return task
  }

  function publish(type: 'task.created' | 'task.updated' | 'task.deleted', task: Task): Task {
    bus.publish({ type, group: task.groupFolder, task })
    return task
  }

  function defaultChatOf(folder: string): string {
    return deps.chats.chatsOf(folder)[0] ?? dashboardChatOf(folder)
  }

  return {
    defaultChatOf,
    create(input) {
      const now = clock.now()
      if (!deps.groups.get(input.groupFolder)) {
        throw new NotFoundError(`group "${input.groupFolder}" does not exist (see \`ngb groups ls\`)`)
      }
      const scheduleType = checkScheduleType(input.scheduleType)
      const scheduleValue = input.scheduleValue.trim()
      const task: Task = {
        id: deps.newId?.() ?? newTaskId(now),
        groupFolder: input.groupFolder,
        chatJid: input.chatJid === undefined ? defaultChatOf(input.groupFolder) : checkChatJid(input.chatJid),
        prompt: checkPrompt(input.prompt),
        scheduleType,
        scheduleValue,
        contextMode: checkContextMode(input.contextMode ?? 'isolated'),
        status: 'active',
        nextRunAt: firstRun({ scheduleType, scheduleValue }, now, timezone),
        createdAt: now,
      }
      return publish('task.created', tasks.create(task))
    },
    get,
    list: (opts) => tasks.list(opts),
    update(id, edit) {
      const current = get(id)
      const now = clock.now()
      const scheduleType = checkScheduleType(edit.scheduleType ?? current.scheduleType)
      const scheduleValue = (edit.scheduleValue ?? current.scheduleValue).trim()
      const scheduleChanged = scheduleType !== current.scheduleType || scheduleValue !== current.scheduleValue
      const next = tasks.update(id, {
        prompt: edit.prompt === undefined ? current.prompt : checkPrompt(edit.prompt),
        chatJid: edit.chatJid === undefined ? current.chatJid : checkChatJid(edit.chatJid),
        contextMode:
          edit.contextMode === undefined ? current.contextMode : checkContextMode(edit.contextMode),
        scheduleType,
        scheduleValue,
        // A new schedule starts afresh; a completed `once` given a new time becomes active again.
        ...(scheduleChanged
          ? {
              nextRunAt: firstRun({ scheduleType, scheduleValue }, now, timezone),
              status: current.status === 'completed' ? 'active' : current.status,
            }
          : {}),
      })
      return publish('task.updated', next)
    },
    pause(id) {
      const current = get(id)
      if (current.status === 'completed') {
        throw new InvalidInputError(`task "${id}" has completed; it cannot be paused`, 'status')
      }
      if (current.status === 'paused') return current
      return publish('task.updated', tasks.update(id, { status: 'paused' }))
    },
    resume(id) {
      const current = get(id)
      if (current.status === 'active') return current
      if (current.status === 'completed') {
        throw new InvalidInputError(
          `task "${id}" has completed; give it a new schedule to run it again`,
          'status',
        )
      }
      const nextRunAt = resumeRun(current, current.nextRunAt, clock.now(), timezone)
      return publish('task.updated', tasks.update(id, { status: 'active', nextRunAt }))
    },
    cancel(id) {
      const current = get(id)
      tasks.remove(id)
      return publish('task.deleted', current)
    },
    runs(id, limit) {
      get(id)
      return tasks.runs(id, limit)
    },
  }
}
