import type { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { type CliChannel, createCliChannel } from './channels/cli/index.ts'
import { createWebChannel, type WebChannel } from './channels/web/index.ts'
import type { LoadedConfig } from './config/load.ts'
import { secretValues } from './config/load.ts'
import type { DataPaths } from './config/paths.ts'
import { dataPaths, defaultConfigDir } from './config/paths.ts'
import type { Config } from './config/schema.ts'
import { createSendFile } from './core/attachments/send-file.ts'
import { createTranscriber } from './core/attachments/transcribe.ts'
import { type BudgetGate, createBudgetGate } from './core/budget/gate.ts'
import { type ChannelRegistry, createChannelRegistry } from './core/channel/registry.ts'
import { createWebhookRouter, type WebhookRouter } from './core/channel/webhooks.ts'
import { allowlistPath } from './core/container/allowlist.ts'
import { createDockerRuntime } from './core/container/docker.ts'
import { createMountPolicy } from './core/container/mount-policy.ts'
import type { ContainerRuntime } from './core/container/runtime.ts'
import { ConflictError, errorMessage } from './core/errors.ts'
import { createEventBus, type EventBus } from './core/events.ts'
import { createGroupsService, type GroupsService } from './core/groups.ts'
import { createOrchestrator, type Orchestrator } from './core/orchestrator.ts'
import type { RunTask } from './core/queue/group-queue.ts'
import { createAgentRunner } from './core/runner/run-turn.ts'
import type { AgentRunner } from './core/runner/types.ts'
import { createTaskRuntime, type TaskRuntime } from './core/task-runtime.ts'
import { openDatabase } from './db/open.ts'
import type { Repos } from './db/repos/index.ts'
import { createRepos } from './db/repos/index.ts'
import { BUILTIN_PLUGINS } from './plugins/builtin/index.ts'
import { notifyGroupHooks } from './plugins/group-hooks.ts'
import type { PluginHost } from './plugins/host.ts'
import { createPluginManager, type PluginManager } from './plugins/manager.ts'
import type { Plugin } from './plugins/plugin.ts'
import { watchPluginDir } from './plugins/watcher.ts'
import type { Clock } from './util/clock.ts'
import { systemClock } from './util/clock.ts'
import type { Logger } from './util/log.ts'
import { createConsoleSink, createLogger, createRotatingFileSink } from './util/log.ts'
import type { Masker } from './util/mask.ts'
import { createMasker } from './util/mask.ts'
import type { Shutdown } from './util/shutdown.ts'
import { createShutdown } from './util/shutdown.ts'
import { VERSION } from './version.ts'
import { applyChannelFlags } from './web/adapters/channels.ts'
import { createWebServices } from './web/adapters/index.ts'
import { globalBudget } from './web/adapters/usage.ts'
import type { WebProbes } from './web/app.ts'
import { createWebApp } from './web/app.ts'
import { createAuthService } from './web/auth/auth-service.ts'
import { allowedHostnames } from './web/auth/guard.ts'
import { createLoginThrottle } from './web/auth/throttle.ts'
import { listenSafely } from './web/listen.ts'
import type { WebServices } from './web/services.ts'

export interface RuntimeOptions {
  loaded: LoadedConfig
  clock?: Clock
  /** Human log lines go here (default stderr); `null` keeps the console quiet. */
  consoleStream?: { write(s: string): unknown } | null
  color?: boolean
}

export interface Runtime {
  config: Config
  paths: DataPaths
  db: Database
  repos: Repos
  log: Logger
  clock: Clock
  installId: string
  shutdown: Shutdown
  /** Masks every configured secret; for logs and anything else written to disk. */
  masker: Masker
}

/**
 * The composition root: the only place that picks concrete parts (SQLite file, log sinks, docker
 * runtime, channels, web app). Commands build what they need from here; nothing runs at import.
 */
export function createRuntime(opts: RuntimeOptions): Runtime {
  const { config } = opts.loaded
  const paths = dataPaths(config.dataDir)
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 })
  const masker = createMasker(secretValues(config))
  const sinks = [
    createRotatingFileSink({
      path: paths.logFile,
      maxBytes: config.logMaxBytes,
      maxFiles: config.logMaxFiles,
    }),
  ]
  if (opts.consoleStream !== null) {
    sinks.push(
      createConsoleSink({
        level: config.debug ? 'debug' : config.logLevel,
        stream: opts.consoleStream,
        color: opts.color,
      }),
    )
  }
  const log = createLogger({
    level: config.debug ? 'debug' : config.logLevel,
    fileLevel: 'debug',
    sinks,
    masker,
  })
  const db = openDatabase(paths.db)
  const repos = createRepos(db)
  const installId = repos.meta.getOrCreate('install_id', () => crypto.randomUUID().slice(0, 8))
  const shutdown = createShutdown({
    defaultTimeoutMs: 5000,
    onStep: (r) =>
      r.ok
        ? log.debug('stopped', { step: r.name, ms: Math.round(r.ms) })
        : log.warn('stop failed', { step: r.name, error: r.error }),
  })
  shutdown.add({ name: 'database', run: () => db.close() })
  return { config, paths, db, repos, log, clock: opts.clock ?? systemClock, installId, shutdown, masker }
}

/** The container engine: the docker CLI (or NGB_CONTAINER_CLI). */
export function createContainerRuntime(rt: Runtime): ContainerRuntime {
  return createDockerRuntime({ cli: rt.config.containerCli })
}

/** The mount allowlist as runs and group saves see it (`~/.config/nanogridbot/mount-allowlist.json`). */
export function mountPolicy(rt: Pick<Runtime, 'paths' | 'log'>) {
  const configDir = defaultConfigDir(process.env)
  const home = process.env.HOME ?? configDir
  const protectedPaths = [rt.paths.dataDir, configDir]
  const policy = createMountPolicy({
    allowlistFile: allowlistPath(configDir),
    home,
    protectedPaths,
    log: rt.log,
  })
  return { ...policy, home, protectedPaths }
}

/** The agent runner over the container runtime; `bus` gets run.* events when given. */
export function createRunner(
  rt: Runtime,
  opts: { runtime?: ContainerRuntime; bus?: EventBus } = {},
): AgentRunner {
  const policy = mountPolicy(rt)
  return createAgentRunner({
    runtime: opts.runtime ?? createContainerRuntime(rt),
    config: rt.config,
    paths: rt.paths,
    installId: rt.installId,
    runs: rt.repos.runs,
    clock: rt.clock,
    log: rt.log,
    masker: rt.masker,
    // Read at each run so edits apply without a restart; a bad file means no extra mounts.
    allowlist: policy.allowlist,
    protectedPaths: policy.protectedPaths,
    home: policy.home,
    bus: opts.bus,
  })
}

export interface WebServer {
  url: string
  port: number
  /** First run without NGB_ADMIN_PASSWORD: the one-time link to set the admin password. */
  setupUrl?: string
  stop(): Promise<void>
}

export interface WebServerOptions {
  loaded: LoadedConfig
  /** The pipeline's bus; a private one when the caller has none yet. */
  bus?: EventBus
  /** The running pipeline: the dashboard chat goes through its web channel, status through its registry. */
  core?: Pick<Core, 'groups' | 'web' | 'channels' | 'pluginManager'> &
    Partial<Pick<Core, 'hooks'>> & { tasks?: Pick<Core['tasks'], 'limits'> }
  /** Replaces individual web services (tests). */
  services?: Partial<WebServices>
  probes?: WebProbes
}

/** Starts the dashboard/API on the configured host and port. */
export async function startWebServer(
  rt: Runtime,
  startedAt: number,
  opts: WebServerOptions,
): Promise<WebServer> {
  const bus = opts.bus ?? createEventBus()
  const now = () => rt.clock.now()
  const auth = createAuthService({
    users: rt.repos.users,
    sessions: rt.repos.webSessions,
    apiTokens: rt.repos.apiTokens,
    meta: rt.repos.meta,
    throttle: createLoginThrottle({ now }),
    now,
  })
  // Hashing takes ~0.2 s by design: it runs while the server already answers /api/health
  // (a login waits for it inside the auth service).
  const passwordSynced = rt.config.adminPassword
    ? auth.syncAdminPassword(rt.config.adminPassword)
    : Promise.resolve()
  passwordSynced.catch(() => {}) // awaited below; this only keeps it from counting as unhandled meanwhile
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(rt.config.webHost)
  if (!loopback) {
    rt.log.warn(
      `the dashboard listens on ${rt.config.webHost}: reachable from the network; put it behind TLS and list its host name in NGB_WEB_ALLOWED_HOSTS`,
      { component: 'web' },
    )
  }
  const services = createWebServices(
    {
      repos: rt.repos,
      bus,
      loaded: opts.loaded,
      groupsDir: rt.paths.groups,
      clock: rt.clock,
      core: opts.core,
    },
    opts.services,
  )
  const app = createWebApp({
    version: VERSION,
    startedAt,
    clock: rt.clock,
    log: rt.log,
    bus,
    services,
    auth,
    allowedHosts: allowedHostnames(rt.config.webHost, (rt.config.webAllowedHosts ?? '').split(',')),
    messageCount: () => rt.repos.messages.count(),
    limitRefusals: () => opts.core?.tasks?.limits?.counts() ?? [],
    probes: opts.probes,
    hooks: opts.core?.hooks,
  })
  listenSafely(app, rt.config.webHost, rt.config.webPort)
  const server = app.server
  if (!server) throw new Error('web server did not start')
  const port = server.port ?? rt.config.webPort
  const wildcard = rt.config.webHost === '0.0.0.0' || rt.config.webHost === '::'
  const shown = wildcard ? '127.0.0.1' : rt.config.webHost
  const host = shown.includes(':') ? `[${shown}]` : shown
  const url = `http://${host}:${port}`
  try {
    await passwordSynced
  } catch (error) {
    await app.stop(true)
    throw error
  }
  const setupUrl = auth.needsSetup() ? `${url}/setup?token=${auth.issueSetupToken()}` : undefined
  return {
    url,
    port,
    setupUrl,
    stop: async () => {
      await app.stop(true)
    },
  }
}

/** Channels switched off on the dashboard stay off across restarts (run after the channels connect). */
export async function applyDashboardChannelFlags(rt: Runtime, core: Pick<Core, 'channels'>): Promise<void> {
  const off = await applyChannelFlags(core.channels, rt.repos.meta)
  if (off.length > 0) rt.log.info('channels disabled on the dashboard stay off', { channels: off })
}

/**
 * Loads `<data dir>/plugins/*.ts|js` and reloads them when they change (serve). The folder is
 * created, so there is always a place to drop a plugin into; the watcher stops with the runtime.
 */
export async function startPluginFiles(rt: Runtime, core: Pick<Core, 'pluginManager'>): Promise<void> {
  const watcher = watchPluginDir({
    dir: rt.paths.plugins,
    log: rt.log.child({ component: 'plugins' }),
    reload: () => core.pluginManager.load(),
  })
  rt.shutdown.add({ name: 'plugin watcher', run: () => watcher.stop() })
  await core.pluginManager.load()
  const running = core.pluginManager.list().filter((p) => p.running)
  // Said only when there is something to say: a refused second serve must print exactly one line.
  if (running.length > 0)
    rt.log.info(`plugins running: ${running.map((p) => p.name).join(', ')}`, { component: 'plugins' })
}

export interface CoreParts {
  /** Starts agent turns in containers (core/runner/run-turn.ts in production, a fake in tests). */
  runner: AgentRunner
  /** Removes containers a previous ngb of this install left behind; returns how many. */
  removeOrphans(): Promise<number>
  runTask?: RunTask
  bus?: EventBus
  /** Plugins given in code (tests): always loaded, enabled unless switched off. */
  plugins?: Plugin[]
  /** `[plugins.<name>]` of ngb.toml (LoadedConfig.plugins). */
  pluginConfig?: Record<string, Record<string, unknown>>
  /** Load external plugins from `<data dir>/plugins` (serve); `pluginManager.load()` does it. */
  pluginFiles?: boolean
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
  cli: CliChannel
  orchestrator: Orchestrator
  /** Scheduler, task runs and the agents' IPC actions; `serve` starts and stops it. */
  tasks: TaskRuntime
  /** Platform webhooks served by the web server under /hooks/<platform>; webhook channels mount into it. */
  hooks: WebhookRouter
  /** Budgets: checked before message and task runs; `serve` starts and stops its re-checks. */
  budget: BudgetGate
}

/** The pipeline over the runtime: groups, channels (web + cli built in), plugins, queue, delivery. */
export function createCore(rt: Runtime, parts: CoreParts): Core {
  const bus =
    parts.bus ??
    createEventBus((error, event) =>
      rt.log.warn('event listener failed', { event: event.type, error: errorMessage(error) }),
    )
  const log = rt.log
  const groups = createGroupsService({
    repos: rt.repos,
    bus,
    clock: rt.clock,
    groupsDir: rt.paths.groups,
    checkMount: mountPolicy(rt).check,
  })
  const pluginManager = createPluginManager({
    log: log.child({ component: 'plugins' }),
    base: {
      assistantName: rt.config.assistantName,
      reply: async (chatJid, text) => {
        await orchestrator.outbound.deliver({ chatJid, text })
      },
    },
    store: rt.repos.pluginState,
    builtins: BUILTIN_PLUGINS,
    dir: parts.pluginFiles ? rt.paths.plugins : undefined,
    toml: parts.pluginConfig,
    extra: parts.plugins,
    now: () => rt.clock.now(),
  })
  const plugins = pluginManager.host
  notifyGroupHooks(bus, plugins, groups)
  const channels = createChannelRegistry({
    bus,
    log: log.child({ component: 'channels' }),
    onInbound: async (message) => {
      await orchestrator.inbound.handle(message)
    },
  })
  const web = createWebChannel()
  const cli = createCliChannel()
  channels.add(web)
  channels.add(cli)
  const orchestrator = createOrchestrator({
    config: rt.config,
    repos: rt.repos,
    groups,
    channels,
    plugins,
    // Message runs get the agent's task/group snapshots too (task runs write their own).
    runner: {
      start(req) {
        try {
          if (req.trigger !== 'task') tasks.writeSnapshots(req.group)
        } catch (error) {
          log.warn('could not write agent snapshots', { group: req.group.folder, error: errorMessage(error) })
        }
        return parts.runner.start(req)
      },
      killGroup: parts.runner.killGroup
        ? (folder) => parts.runner.killGroup?.(folder) ?? Promise.resolve()
        : undefined,
    },
    bus,
    clock: rt.clock,
    log: log.child({ component: 'orchestrator' }),
    removeOrphans: parts.removeOrphans,
    runTask: async (task) => {
      // A group over its budget holds the task; the gate queues it again once the budget allows.
      const group = groups.get(task.groupFolder)
      if (group && !budget.admitTask(task, group)) return
      await (parts.runTask ?? tasks.runTask)(task)
    },
    budget: { check: (group, chatJid) => budget.check(group, chatJid) },
    transaction: (fn) => rt.db.transaction(fn).immediate(),
    version: VERSION,
    groupsDir: rt.paths.groups,
    transcriber: rt.config.transcriptionUrl
      ? createTranscriber({
          url: rt.config.transcriptionUrl,
          apiKey: rt.config.transcriptionApiKey,
          model: rt.config.transcriptionModel,
        })
      : undefined,
  })
  const tasks = createTaskRuntime({
    repos: rt.repos,
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
    runner: parts.runner,
    deliver: (req) => orchestrator.outbound.deliver(req),
    enqueueTask: (task) => orchestrator.queue.enqueueTask(task),
    bus,
    clock: rt.clock,
    log,
    timezone: rt.config.timezone,
    ipcDir: rt.paths.ipc,
    limits: {
      messagesPerMinute: rt.config.agentMessagesPerMinute,
      maxTasks: rt.config.agentMaxTasks,
      ipcMaxBytes: rt.config.agentIpcMaxBytes,
    },
    sendFile: createSendFile({
      groupsDir: rt.paths.groups,
      channelFor: (jid) => channels.channelFor(jid),
      deliver: (req) => orchestrator.outbound.deliver(req),
      log,
    }),
  })
  const budget = createBudgetGate({
    usage: rt.repos.usage,
    notices: rt.repos.budgetNotices,
    global: () => globalBudget(rt.config),
    group: (folder) => groups.get(folder),
    mainChat: () => {
      const main = rt.repos.groups.main()
      return main ? (rt.repos.chats.chatsOf(main.folder)[0] ?? `web:${main.folder}`) : undefined
    },
    tell: (chatJid, text, group) => orchestrator.outbound.deliver({ chatJid, text, group }),
    enqueue: (folder) => orchestrator.queue.enqueue(folder),
    enqueueTask: (task) => orchestrator.queue.enqueueTask(task),
    bus,
    clock: rt.clock,
    log,
    timezone: rt.config.timezone,
  })
  const hooks = createWebhookRouter({ log })
  return { bus, groups, plugins, pluginManager, channels, web, cli, orchestrator, tasks, hooks, budget }
}
