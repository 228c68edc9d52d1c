import type { ChatsRepo } from '../db/repos/chats.ts'
import type { GroupsRepo } from '../db/repos/groups.ts'
import type { SessionsRepo } from '../db/repos/sessions.ts'
import type { TasksRepo } from '../db/repos/tasks.ts'
import type { Clock } from '../util/clock.ts'
import type { Logger } from '../util/log.ts'
import type { SendFile } from './attachments/send-file.ts'
import type { EventBus } from './events.ts'
import type { IpcActions, RegisterGroupInput } from './ipc/actions.ts'
import { createIpcActions } from './ipc/actions.ts'
import type { AgentLimits, AgentLimitsOptions } from './ipc/limits.ts'
import { createAgentLimits } from './ipc/limits.ts'
import type { IpcWatcher, IpcWatcherOptions } from './ipc/watcher.ts'
import { createIpcWatcher } from './ipc/watcher.ts'
import type { DeliveryRequest, DeliveryResult } from './outbound/deliver.ts'
import type { RunTask } from './queue/group-queue.ts'
import type { Scheduler } from './scheduler/scheduler.ts'
import { createScheduler } from './scheduler/scheduler.ts'
import type { TasksService } from './tasks.ts'
import { createTasksService } from './tasks.ts'
import type { Group } from './types.ts'

export interface TaskRuntimeDeps {
  repos: { tasks: TasksRepo; groups: GroupsRepo; sessions: SessionsRepo; chats: ChatsRepo }
  /** The group a chat belongs to, including self-binding web:/cli: chats (GroupsService.groupOfChat). */
  groupOfChat: (jid: string) => Group | undefined
  /** Creates a group and binds the chat to it (main's register_group action). */
  registerGroup: (input: RegisterGroupInput) => Group
  /** Outbound.deliver: the agents' send_message action. */
  deliver: (req: DeliveryRequest) => Promise<DeliveryResult>
  /** GroupQueue.enqueueTask: where due tasks go (the queue runs them with core/scheduler/run-task.ts). */
  enqueueTask: (task: Parameters<RunTask>[0]) => void
  bus: EventBus
  clock: Clock
  log: Logger
  timezone: string
  /** `<data dir>/ipc` */
  ipcDir: string
  ipc?: IpcWatcherOptions
  /** Per-group caps on agent actions (none: unlimited, as in unit tests). */
  limits?: AgentLimitsOptions
  sendFile?: SendFile
}

export interface TaskRuntime {
  tasks: TasksService
  scheduler: Scheduler
  actions: IpcActions
  watcher: IpcWatcher
  limits?: AgentLimits
  start(): void
  stop(): Promise<void>
}

/**
 * The tasks service, the scheduler and the agents' IPC actions over one set of repos: `serve`
 * starts and stops it. It comes after the queue (due tasks go into it); the task runs themselves
 * are the queue's (core/scheduler/run-task.ts).
 */
export function createTaskRuntime(deps: TaskRuntimeDeps): TaskRuntime {
  const { repos, bus, clock, log, timezone } = deps
  const tasks = createTasksService({
    tasks: repos.tasks,
    groups: repos.groups,
    chats: repos.chats,
    bus,
    clock,
    timezone,
  })
  const scheduler = createScheduler({
    tasks: repos.tasks,
    enqueueTask: (task) => deps.enqueueTask(task),
    bus,
    clock,
    log,
  })
  const limits = deps.limits
    ? createAgentLimits({
        ...deps.limits,
        clock,
        log,
        taskCount: (folder) =>
          repos.tasks
            .list({ groupFolder: folder })
            .filter((t) => t.status === 'active' || t.status === 'paused').length,
        tellMain(text) {
          const main = repos.groups.main()
          const chatJid = main ? repos.chats.chatsOf(main.folder)[0] : undefined
          if (!main || !chatJid) return
          deps.deliver({ chatJid, text, group: main.folder }).catch((error: unknown) => {
            log.warn('could not tell the main group about a limit', { error: String(error) })
          })
        },
      })
    : undefined
  const actions = createIpcActions({
    limits,
    groups: repos.groups,
    groupOfChat: deps.groupOfChat,
    chatsOf: (folder) => repos.chats.chatsOf(folder),
    tasks,
    sendMessage: (req) => deps.deliver(req),
    registerGroup: deps.registerGroup,
    sendFile: deps.sendFile,
    log,
  })
  const watcher = createIpcWatcher({ ipcDir: deps.ipcDir, actions, limits, clock, log }, deps.ipc)
  return {
    tasks,
    scheduler,
    actions,
    watcher,
    limits,
    start() {
      // Only one ngb serves a data dir, so a run still marked running was cut off by a crash.
      const stale = repos.tasks.closeStaleRuns(clock.now())
      if (stale > 0) log.info('closed task runs cut off by an unclean stop', { count: stale })
      watcher.start()
      scheduler.start()
    },
    async stop() {
      scheduler.stop()
      await watcher.stop()
    },
  }
}
