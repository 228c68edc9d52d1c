import * as v from 'valibot'
import { SendFileActionSchema } from '../../protocol/attachments.ts'
import type { SendMessageAction, TaskAction } from '../../protocol/container.ts'
import { SendMessageActionSchema, TaskActionSchema } from '../../protocol/container.ts'
import type { Logger } from '../../util/log.ts'
import type { SendFile } from '../attachments/send-file.ts'
import { errorMessage, NgbError } from '../errors.ts'
import { parseJid } from '../jid.ts'
import type { DeliveryRequest, DeliveryResult } from '../outbound/deliver.ts'
import { deliveryFailure } from '../scheduler/run-task.ts'
import type { TasksService } from '../tasks.ts'
import type { Group, Task, TriggerMode } from '../types.ts'
import type { AgentLimits } from './limits.ts'

/** What became of one IPC file: `done` is deleted, everything else goes to ipc/errors/. */
export type ActionOutcome =
  | { kind: 'done'; detail?: string }
  | { kind: 'invalid' | 'refused' | 'unknown' | 'failed'; reason: string }

export type Decision = { allowed: true } | { allowed: false; reason: string }

export interface RegisterGroupInput {
  jid: string
  name: string
  folder: string
  triggerMode?: TriggerMode
  triggerPattern?: string
}

export interface IpcActionsDeps {
  groups: { get(folder: string): Group | undefined }
  /** The group a chat is bound to (web:/cli: JIDs bind to the folder they name). */
  groupOfChat: (jid: string) => Group | undefined
  /** The chats bound to a group, oldest first: the default target of a scheduled task. */
  chatsOf: (folder: string) => string[]
  tasks: Pick<TasksService, 'create' | 'get' | 'pause' | 'resume' | 'cancel'>
  /** Delivery (Outbound.deliver): strip <internal>, plugins, chunking, store. */
  sendMessage: (req: DeliveryRequest) => Promise<DeliveryResult>
  registerGroup: (input: RegisterGroupInput) => Group
  /** Per-group caps on messages a minute and tasks (none: unlimited). */
  limits?: Pick<AgentLimits, 'message' | 'task'>
  /** The agent's send_file (core/attachments/send-file.ts); without it file actions are unknown. */
  sendFile?: SendFile
  log: Logger
}

export interface IpcActions {
  /** A file from ipc/<folder>/messages/. `folder` is the directory name: the only identity. */
  message(folder: string, data: unknown): Promise<ActionOutcome>
  /** A file from ipc/<folder>/tasks/. */
  task(folder: string, data: unknown): Promise<ActionOutcome>
}

const allow: Decision = { allowed: true }

/** Main may message any chat; another group only chats bound to itself. */
export function authorizeSend(source: Group, target: Group | undefined): Decision {
  if (source.isMain) return allow
  if (target?.folder === source.folder) return allow
  return {
    allowed: false,
    reason: target
      ? `group "${source.folder}" may not send to a chat of group "${target.folder}"`
      : `group "${source.folder}" may not send to a chat that is not bound to it`,
  }
}

/** Main may schedule for any group; another group only for itself. */
export function authorizeSchedule(source: Group, taskGroup: Group | undefined): Decision {
  if (source.isMain && taskGroup) return allow
  if (!taskGroup) return { allowed: false, reason: 'the target chat is not bound to any group' }
  if (taskGroup.folder === source.folder) return allow
  return {
    allowed: false,
    reason: `group "${source.folder}" may not schedule tasks for group "${taskGroup.folder}"`,
  }
}

/** Main may pause/resume/cancel any task; another group only its own. */
export function authorizeTaskChange(source: Group, task: Task): Decision {
  if (source.isMain || task.groupFolder === source.folder) return allow
  return {
    allowed: false,
    reason: `group "${source.folder}" may not change task "${task.id}" of group "${task.groupFolder}"`,
  }
}

export function authorizeRegister(source: Group): Decision {
  return source.isMain
    ? allow
    : { allowed: false, reason: `only the main group may register groups ("${source.folder}" is not main)` }
}

function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues.map((i) => `${v.getDotPath(i) ?? 'file'}: ${i.message}`).join('; ')
}

function fromError(err: unknown): ActionOutcome {
  if (
    err instanceof NgbError &&
    (err.code === 'invalid_input' || err.code === 'not_found' || err.code === 'conflict')
  ) {
    return { kind: 'invalid', reason: err.message }
  }
  return { kind: 'failed', reason: errorMessage(err) }
}

/**
 * The host side of the agent actions. The acting group is the directory the file was found in,
 * never a field of the file: a container can only write into its own ipc/<folder>/.
 */
export function createIpcActions(deps: IpcActionsDeps): IpcActions {
  const log = deps.log.child({ component: 'ipc' })

  function refuse(folder: string, action: string, reason: string): ActionOutcome {
    log.warn('agent action refused', { group: folder, action, reason })
    return { kind: 'refused', reason }
  }

  function targetGroup(jid: string): Group | undefined {
    parseJid(jid)
    return deps.groupOfChat(jid)
  }

  async function send(source: Group, action: SendMessageAction): Promise<ActionOutcome> {
    let target: Group | undefined
    try {
      target = targetGroup(action.chatJid)
    } catch (err) {
      return { kind: 'invalid', reason: errorMessage(err) }
    }
    const decision = authorizeSend(source, target)
    if (!decision.allowed) return refuse(source.folder, 'send_message', decision.reason)
    const limit = deps.limits?.message(source.folder)
    if (limit && !limit.allowed) return { kind: 'refused', reason: `limit: ${limit.reason}` }
    const failure = deliveryFailure(
      await deps.sendMessage({ chatJid: action.chatJid, text: action.text, group: source.folder }),
    )
    if (failure) return { kind: 'failed', reason: `not delivered: ${failure}` }
    log.info('agent message sent', { group: source.folder, chat: action.chatJid })
    return { kind: 'done' }
  }

  function changeTask(source: Group, action: Extract<TaskAction, { taskId: string }>): ActionOutcome {
    let task: Task
    try {
      task = deps.tasks.get(action.taskId)
    } catch (err) {
      return fromError(err)
    }
    const decision = authorizeTaskChange(source, task)
    if (!decision.allowed) return refuse(source.folder, action.type, decision.reason)
    if (action.type === 'pause_task') deps.tasks.pause(task.id)
    else if (action.type === 'resume_task') deps.tasks.resume(task.id)
    else deps.tasks.cancel(task.id)
    log.info('agent changed a task', { group: source.folder, action: action.type, task: task.id })
    return { kind: 'done' }
  }

  function schedule(source: Group, action: Extract<TaskAction, { type: 'schedule_task' }>): ActionOutcome {
    const jid = action.targetJid ?? deps.chatsOf(source.folder)[0] ?? `web:${source.folder}`
    let group: Group | undefined
    try {
      group = targetGroup(jid)
    } catch (err) {
      return { kind: 'invalid', reason: errorMessage(err) }
    }
    // Main may schedule into a chat no group has claimed; the task then belongs to main.
    const taskGroup = group ?? (source.isMain ? source : undefined)
    const decision = authorizeSchedule(source, taskGroup)
    if (!decision.allowed || !taskGroup) {
      return refuse(source.folder, 'schedule_task', decision.allowed ? 'no target group' : decision.reason)
    }
    const limit = deps.limits?.task(taskGroup.folder)
    if (limit && !limit.allowed) return { kind: 'refused', reason: `limit: ${limit.reason}` }
    const task = deps.tasks.create({
      groupFolder: taskGroup.folder,
      chatJid: jid,
      prompt: action.prompt,
      scheduleType: action.scheduleType,
      scheduleValue: action.scheduleValue,
      contextMode: action.contextMode,
    })
    log.info('agent scheduled a task', { group: source.folder, task: task.id, for: taskGroup.folder })
    return { kind: 'done', detail: task.id }
  }

  function register(source: Group, action: Extract<TaskAction, { type: 'register_group' }>): ActionOutcome {
    const decision = authorizeRegister(source)
    if (!decision.allowed) return refuse(source.folder, 'register_group', decision.reason)
    const group = deps.registerGroup({
      jid: action.jid,
      name: action.name,
      folder: action.folder,
      triggerMode: action.trigger,
      triggerPattern: action.triggerPattern,
    })
    log.info('agent registered a group', { group: source.folder, registered: group.folder, chat: action.jid })
    return { kind: 'done', detail: group.folder }
  }

  return {
    async message(folder, data) {
      const source = deps.groups.get(folder)
      if (!source) return refuse(folder, 'send_message', `no group "${folder}" is registered`)
      if ((data as { type?: unknown } | null)?.type === 'file' && deps.sendFile) {
        const file = v.safeParse(SendFileActionSchema, data)
        if (!file.success) return { kind: 'invalid', reason: describeIssues(file.issues) }
        let target: Group | undefined
        try {
          target = targetGroup(file.output.chatJid)
        } catch (err) {
          return { kind: 'invalid', reason: errorMessage(err) }
        }
        const decision = authorizeSend(source, target)
        if (!decision.allowed) return refuse(folder, 'send_file', decision.reason)
        const outcome = await deps.sendFile(folder, file.output)
        return outcome.kind === 'done' ? { kind: 'done' } : outcome
      }
      const parsed = v.safeParse(SendMessageActionSchema, data)
      if (!parsed.success) {
        const type = (data as { type?: unknown } | null)?.type
        if (type !== undefined && type !== 'message')
          return { kind: 'unknown', reason: `unknown message type ${JSON.stringify(type)}` }
        return { kind: 'invalid', reason: describeIssues(parsed.issues) }
      }
      try {
        return await send(source, parsed.output)
      } catch (err) {
        return fromError(err)
      }
    },
    async task(folder, data) {
      const source = deps.groups.get(folder)
      if (!source) return refuse(folder, 'task', `no group "${folder}" is registered`)
      const type = (data as { type?: unknown } | null)?.type
      const known = ['schedule_task', 'pause_task', 'resume_task', 'cancel_task', 'register_group']
      if (typeof type !== 'string' || !known.includes(type)) {
        return { kind: 'unknown', reason: `unknown task action type ${JSON.stringify(type)}` }
      }
      const parsed = v.safeParse(TaskActionSchema, data)
      if (!parsed.success) return { kind: 'invalid', reason: describeIssues(parsed.issues) }
      const action = parsed.output
      try {
        switch (action.type) {
          case 'schedule_task':
            return schedule(source, action)
          case 'register_group':
            return register(source, action)
          default:
            return changeTask(source, action)
        }
      } catch (err) {
        return fromError(err)
      }
    },
  }
}
