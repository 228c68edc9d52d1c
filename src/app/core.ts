import { type CliChannel, createCliChannel } from '../channels/cli/index.ts'
import { createWebChannel, type WebChannel } from '../channels/web/index.ts'
import type { DataPaths } from '../config/paths.ts'
import type { Channel } from '../core/channel/channel.ts'
import { type ChannelRegistry, createChannelRegistry } from '../core/channel/registry.ts'
import type { AgentImage } from '../core/container/image-watch.ts'
import { ConflictError, errorMessage } from '../core/errors.ts'
import { createEventBus, type EventBus } from '../core/events.ts'
import { createGroupsService, type GroupsService, type GroupsServiceDeps } from '../core/groups.ts'
import { createSnapshotWriter } from '../core/ipc/snapshots.ts'
import type { IpcWatcherOptions } from '../core/ipc/watcher.ts'
import { createOrchestrator, type Orchestrator, type OrchestratorConfig } from '../core/orchestrator.ts'
import { createOutbound, type Outbound } from '../core/outbound/deliver.ts'
import { createSendQueue, type SendQueueOptions } from '../core/outbound/send-queue.ts'
import type { RunTask } from '../core/queue/group-queue.ts'
import type { AgentRunner } from '../core/runner/types.ts'
import { createRunTask } from '../core/scheduler/run-task.ts'
import { createTaskRuntime, type TaskRuntime } from '../core/task-runtime.ts'
import type { Repos } from '../db/repos/index.ts'
import { createPluginHost, type PluginHost } from '../plugins/host.ts'
import type { Plugin } from '../plugins/plugin.ts'
import type { Clock } from '../util/clock.ts'
import type { Logger } from '../util/log.ts'

export interface CoreConfig extends OrchestratorConfig {
  /** IANA zone for cron schedules. */
  timezone: string
}

export interface CoreDeps {
  config: CoreConfig
  repos: Repos
  paths: Pick<DataPaths, 'groups' | 'ipc'>
  clock: Clock
  log: Logger
  /** Starts agent turns in containers (core/runner/run-turn.ts in production, a fake in tests). */
  runner: AgentRunner
  /** Turns and task runs wait for it (serve: core/container/image-watch.ts); absent = never wait. */
  agentImage?: AgentImage
  /** Removes containers a previous ngb of this install left behind; returns how many. */
  removeOrphans(): Promise<number>
  /** Checks a group's extra mounts against the allowlist when they are saved (app/runner.ts#mountPolicy). */
  checkMount?: GroupsServiceDeps['checkMount']
  /** Groups hot-path writes into one commit (`db.transaction(fn).immediate()`). */
  transaction?: <T>(fn: () => T) => T
  /** The pipeline's bus; a new one (listener errors logged) when not given. */
  bus?: EventBus
  /** The chat platforms (app/channels.ts); the dashboard's web and the cli channel are always built in. */
  channels?: Channel[]
  /** Plugins the host runs; none in production yet (docs/web.md). */
  plugins?: Plugin[]
  /** Replaces the task runs the queue hands slots to (tests). */
  runTask?: RunTask
  sendQueue?: SendQueueOptions
  hookTimeoutMs?: number
  ipc?: IpcWatcherOptions
  /** Shown by the `/help` and `/status` chat commands. */
  version?: string
}

export interface Core {
  bus: EventBus
  groups: GroupsService
  plugins: PluginHost
  channels: ChannelRegistry
  /** The dashboard's chat: the web layer calls `web.post(folder, text, sender)`. */
  web: WebChannel
  outbound: Outbound
  orchestrator: Orchestrator
  /** Scheduler, tasks service and the agents' IPC actions; `serve` starts and stops it. */
  tasks: TaskRuntime
}

/**
 * The core, built in dependency order: every part gets only parts built before it, so the message
 * path never calls back into the composition root (docs/architecture.md lists its hops). The
 * channels meet the inbound step when the orchestrator starts (`channels.connectAll`).
 */
export function createCore(deps: CoreDeps): Core {
  const { repos, clock, log, config } = deps

  // 1. Shared parts: events, groups, the plugin host.
  const bus =
    deps.bus ??
    createEventBus((error, event) =>
      log.warn('event listener failed', { event: event.type, error: errorMessage(error) }),
    )
  const groups = createGroupsService({
    repos,
    bus,
    clock,
    groupsDir: deps.paths.groups,
    checkMount: deps.checkMount,
  })
  const plugins = createPluginHost(
    { log: log.child({ component: 'plugins' }), hookTimeoutMs: deps.hookTimeoutMs },
    deps.plugins,
  )

  // 2. Channels: the built-in web and cli ones and the platforms, not connected yet.
  const channels = createChannelRegistry({ bus, log: log.child({ component: 'channels' }) })
  const web = createWebChannel()
  const cli: CliChannel = createCliChannel()
  for (const channel of [web, cli, ...(deps.channels ?? [])]) channels.add(channel)

  // 3. Outbound: the one way into a chat (replies, notices, task results, agent and plugin messages).
  const sendQueue = createSendQueue({
    ...deps.sendQueue,
    onRetry: ({ attempt, delayMs, error }) =>
      log.warn('send failed; retrying', { attempt: attempt + 1, delayMs, error: errorMessage(error) }),
  })
  const outbound = createOutbound({
    channelFor: (jid) => channels.channelFor(jid),
    plugins,
    messages: repos.messages,
    progress: repos.replyProgress,
    sendQueue,
    bus,
    clock,
    log: log.child({ component: 'outbound' }),
    assistantName: config.assistantName,
  })

  // 4. Before every agent run, and the task runs the queue gives slots to.
  const writeSnapshots = createSnapshotWriter({
    ipcDir: deps.paths.ipc,
    tasks: repos.tasks,
    groups: repos.groups,
    chatsOf: (folder) => repos.chats.chatsOf(folder),
    log: log.child({ component: 'snapshots' }),
  })
  const runTask =
    deps.runTask ??
    createRunTask({
      tasks: repos.tasks,
      groups: repos.groups,
      sessions: repos.sessions,
      runner: deps.runner,
      deliver: (req) => outbound.deliver(req),
      writeSnapshots,
      agentImage: deps.agentImage,
      bus,
      clock,
      log,
      timezone: config.timezone,
    })

  // 5. The pipeline: inbound → queue → message turn → runner → outbound.
  const orchestrator = createOrchestrator({
    config,
    repos,
    groups,
    channels,
    plugins,
    outbound,
    runner: deps.runner,
    writeSnapshots,
    agentImage: deps.agentImage,
    bus,
    clock,
    log: log.child({ component: 'orchestrator' }),
    removeOrphans: deps.removeOrphans,
    runTask,
    transaction: deps.transaction,
    version: deps.version,
  })

  // 6. Scheduler and agent actions: due tasks go into the queue, agent messages out through outbound.
  const tasks = createTaskRuntime({
    repos,
    groupOfChat: (jid) => groups.groupOfChat(jid),
    registerGroup(input) {
      // Check the chat first, so a refused binding leaves no half-registered group behind.
      const owner = groups.groupOfChat(input.jid)
      if (owner) throw new ConflictError(`chat ${input.jid} is already bound to group "${owner.folder}"`)
      const group = groups.createGroup({
        folder: input.folder,
        name: input.name,
        triggerMode: input.triggerMode,
        triggerPattern: input.triggerPattern,
      })
      groups.bind(input.jid, group.folder)
      return group
    },
    deliver: (req) => outbound.deliver(req),
    enqueueTask: (task) => orchestrator.queue.enqueueTask(task),
    bus,
    clock,
    log,
    timezone: config.timezone,
    ipcDir: deps.paths.ipc,
    ipc: deps.ipc,
  })

  return { bus, groups, plugins, channels, web, outbound, orchestrator, tasks }
}
