import type { Database } from 'bun:sqlite'
import { existsSync, mkdirSync } from 'node:fs'
import { type CliChannel, createCliChannel } from './channels/cli/index.ts'
import { createWebChannel, type WebChannel } from './channels/web/index.ts'
import type { LoadedConfig } from './config/load.ts'
import { secretValues } from './config/load.ts'
import type { DataPaths } from './config/paths.ts'
import { dataPaths, defaultConfigDir } from './config/paths.ts'
import type { Config } from './config/schema.ts'
import { type ChannelRegistry, createChannelRegistry } from './core/channel/registry.ts'
import { allowlistPath, loadMountAllowlist } from './core/container/allowlist.ts'
import { createDockerRuntime } from './core/container/docker.ts'
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
import { createPluginHost, type PluginHost } from './plugins/host.ts'
import type { Plugin, PluginContext } from './plugins/plugin.ts'
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
import type { WebProbes } from './web/app.ts'
import { createWebApp } from './web/app.ts'
import { createAuthService } from './web/auth/auth-service.ts'
import { allowedHostnames } from './web/auth/guard.ts'
import { createLoginThrottle } from './web/auth/throttle.ts'
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

/** The agent runner over the container runtime; `bus` gets run.* events when given. */
export function createRunner(
  rt: Runtime,
  opts: { runtime?: ContainerRuntime; bus?: EventBus } = {},
): AgentRunner {
  const configDir = defaultConfigDir(process.env)
  const allowlistFile = allowlistPath(configDir)
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
    allowlist: () => {
      const load = loadMountAllowlist(allowlistFile)
      if (load.ok) return load.allowlist
      if (existsSync(allowlistFile))
        rt.log.warn('mount allowlist ignored: no extra mounts', { component: 'runner', reason: load.reason })
      return undefined
    },
    protectedPaths: [rt.paths.dataDir, configDir],
    home: process.env.HOME ?? configDir,
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
  core?: Pick<Core, 'groups' | 'web' | 'channels' | 'plugins'>
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
    probes: opts.probes,
  })
  app.listen({ hostname: rt.config.webHost, port: rt.config.webPort })
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

export interface CoreParts {
  /** Starts agent turns in containers (core/runner/run-turn.ts in production, a fake in tests). */
  runner: AgentRunner
  /** Removes containers a previous ngb of this install left behind; returns how many. */
  removeOrphans(): Promise<number>
  runTask?: RunTask
  bus?: EventBus
  plugins?: Plugin[]
}

export interface Core {
  bus: EventBus
  groups: GroupsService
  plugins: PluginHost
  channels: ChannelRegistry
  /** The dashboard's chat: the web layer calls `web.post(folder, text, sender)`. */
  web: WebChannel
  cli: CliChannel
  orchestrator: Orchestrator
  /** Scheduler, task runs and the agents' IPC actions; `serve` starts and stops it. */
  tasks: TaskRuntime
}

/** The pipeline over the runtime: groups, channels (web + cli built in), plugins, queue, delivery. */
export function createCore(rt: Runtime, parts: CoreParts): Core {
  const bus =
    parts.bus ??
    createEventBus((error, event) =>
      rt.log.warn('event listener failed', { event: event.type, error: errorMessage(error) }),
    )
  const log = rt.log
  const groups = createGroupsService({ repos: rt.repos, bus, clock: rt.clock, groupsDir: rt.paths.groups })
  const pluginContext: PluginContext = {
    assistantName: rt.config.assistantName,
    reply: async (chatJid, text) => {
      await orchestrator.outbound.deliver({ chatJid, text })
    },
  }
  const plugins = createPluginHost(
    { log: log.child({ component: 'plugins' }), context: pluginContext },
    parts.plugins,
  )
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
    },
    bus,
    clock: rt.clock,
    log: log.child({ component: 'orchestrator' }),
    removeOrphans: parts.removeOrphans,
    runTask: parts.runTask ?? ((task) => tasks.runTask(task)),
    transaction: (fn) => rt.db.transaction(fn).immediate(),
    version: VERSION,
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
  })
  return { bus, groups, plugins, channels, web, cli, orchestrator, tasks }
}
