import { type CliChannel, createCliChannel } from '../channels/cli/index.ts'
import { createWebChannel, type WebChannel } from '../channels/web/index.ts'
import type { DataPaths } from '../config/paths.ts'
import { createSendFile } from '../core/attachments/send-file.ts'
import type { Transcriber } from '../core/attachments/transcribe.ts'
import { type BudgetGate, createBudgetGate } from '../core/budget/gate.ts'
import type { Channel } from '../core/channel/channel.ts'
import { type ChannelRegistry, createChannelRegistry } from '../core/channel/registry.ts'
import { createWebhookRouter, type WebhookRouter } from '../core/channel/webhooks.ts'
import type { AgentImage } from '../core/container/image-watch.ts'
import { ConflictError, errorMessage } from '../core/errors.ts'
import { createEventBus, type EventBus } from '../core/events.ts'
import { createGroupsService, type GroupsService, type GroupsServiceDeps } from '../core/groups.ts'
import type { AgentLimitsOptions } from '../core/ipc/limits.ts'
import { createSnapshotWriter } from '../core/ipc/snapshots.ts'
import type { IpcWatcherOptions } from '../core/ipc/watcher.ts'
import { createOrchestrator, type Orchestrator, type OrchestratorConfig } from '../core/orchestrator.ts'
import { createOutbound, type Outbound } from '../core/outbound/deliver.ts'
import { createSendQueue, type SendQueueOptions } from '../core/outbound/send-queue.ts'
import type { RunTask } from '../core/queue/group-queue.ts'
import type { AgentRunner } from '../core/runner/types.ts'
import { createRunTask } from '../core/scheduler/run-task.ts'
import { createTaskRuntime, type TaskRuntime } from '../core/task-runtime.ts'
import type { BudgetLimits } from '../core/types.ts'
import type { Repos } from '../db/repos/index.ts'
import type { BuiltinPlugin } from '../plugins/builtin/index.ts'
import type { PluginHost } from '../plugins/host.ts'
import { createPluginManager, type PluginManager } from '../plugins/manager.ts'
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
  /** The router the platforms' webhook routes were mounted into (built before them); a new one if none. */
  hooks?: WebhookRouter
  /** Built-in plugins (serve: BUILTIN_PLUGINS); tests run none. */
  builtins?: readonly BuiltinPlugin[]
  /** Plugins given in code (tests): always loaded, enabled unless switched off. */
  plugins?: Plugin[]
  /** `<data dir>/plugins`, loaded by `pluginManager.load()` (serve). */
  pluginDir?: string
  /** `[plugins.<name>]` of ngb.toml (LoadedConfig.plugins). */
  pluginConfig?: Record<string, Record<string, unknown>>
  /** Wraps the plugin host the pipeline calls (bench/pipeline.ts times every hook chain with it). */
  wrapPlugins?: (host: PluginHost) => PluginHost
  /** Replaces the task runs the queue hands slots to (tests). */
  runTask?: RunTask
  /** The global spending limits (config), read at each check; none means no global limit. */
  globalBudget?: () => BudgetLimits
  /** Replaces the budget check before message runs (tests). */
  budget?: Pick<BudgetGate, 'check'>
  /** Users' files are received into the group workspaces (serve); voice is transcribed when given. */
  files?: { transcriber?: Transcriber }
  /** Per-group caps on agent actions (serve: from config); none means unlimited. */
  agentLimits?: AgentLimitsOptions
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
  /** Built-ins, plugin files and their switches/config; `plugins` is its host. */
  pluginManager: PluginManager
  channels: ChannelRegistry
  /** The dashboard's chat: the web layer calls `web.post(folder, text, sender)`. */
  web: WebChannel
  outbound: Outbound
  orchestrator: Orchestrator
  /** Scheduler, tasks service and the agents' IPC actions; `serve` starts and stops it. */
  tasks: TaskRuntime
  /** Platform webhooks served by the web server under /hooks/<platform>. */
  hooks: WebhookRouter
  /** Budgets: checked before message and task runs; `serve` starts and stops its re-checks. */
  budget: BudgetGate
}

/**
 * The core, built in dependency order: every part gets only parts built before it, so the message
 * path never calls back into the composition root (docs/architecture.md lists its hops). The
 * channels meet the inbound step when the orchestrator starts (`channels.connectAll`).
 */
export function createCore(deps: CoreDeps): Core {
  const { repos, clock, log, config } = deps

  // 1. Shared parts: events, groups, the plugins (built-ins, files, code).
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
  const pluginManager = createPluginManager({
    log: log.child({ component: 'plugins' }),
    base: {
      assistantName: config.assistantName,
      // The one cycle by nature: plugins run inside outbound (onBeforeSend) and a plugin's reply
      // goes out through outbound (built in step 3). Only a hook calls this, so outbound exists then.
      reply: async (chatJid, text) => {
        await outbound.deliver({ chatJid, text })
      },
    },
    store: repos.pluginState,
    builtins: deps.builtins ?? [],
    dir: deps.pluginDir,
    toml: deps.pluginConfig,
    extra: deps.plugins,
    hookTimeoutMs: deps.hookTimeoutMs,
    now: () => clock.now(),
  })
  const plugins = deps.wrapPlugins ? deps.wrapPlugins(pluginManager.host) : pluginManager.host

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
    groupExists: (folder) => groups.get(folder) !== undefined,
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

  // Budgets. The second cycle by nature: held work goes back into the queue (built in step 5) once
  // the budget allows; only the gate's timer and checks call these, after the queue exists.
  const budget = createBudgetGate({
    usage: repos.usage,
    notices: repos.budgetNotices,
    global: deps.globalBudget ?? (() => ({})),
    group: (folder) => groups.get(folder),
    mainChat: () => {
      const main = repos.groups.main()
      return main ? (repos.chats.chatsOf(main.folder)[0] ?? `web:${main.folder}`) : undefined
    },
    tell: (chatJid, text, group) => outbound.deliver({ chatJid, text, group }),
    enqueue: (folder) => orchestrator.queue.enqueue(folder),
    enqueueTask: (task) => orchestrator.queue.enqueueTask(task),
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
    runTask: async (task) => {
      // A group over its budget holds the task; the gate queues it again once the budget allows.
      const group = groups.get(task.groupFolder)
      if (group && !budget.admitTask(task, group)) return
      await runTask(task)
    },
    budget: deps.budget ?? budget,
    transaction: deps.transaction,
    version: deps.version,
    groupsDir: deps.files ? deps.paths.groups : undefined,
    transcriber: deps.files?.transcriber,
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
    limits: deps.agentLimits,
    sendFile: createSendFile({
      groupsDir: deps.paths.groups,
      channelFor: (jid) => channels.channelFor(jid),
      deliver: (req) => outbound.deliver(req),
      log,
    }),
  })

  const hooks = deps.hooks ?? createWebhookRouter({ log })
  return { bus, groups, plugins, pluginManager, channels, web, outbound, orchestrator, tasks, hooks, budget }
}
