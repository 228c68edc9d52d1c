import { applyDashboardChannelFlags, createChannels } from './app/channels.ts'
import { type Core, type CoreDeps, createCore as composeCore } from './app/core.ts'
import { createContainerRuntime, createRunner, mountPolicy } from './app/runner.ts'
import type { Runtime } from './app/runtime.ts'
import { startWebServer, type WebServer } from './app/web.ts'
import type { LoadedConfig } from './config/load.ts'
import { createTranscriber } from './core/attachments/transcribe.ts'
import { createWebhookRouter } from './core/channel/webhooks.ts'
import { imageExists } from './core/container/engine.ts'
import { createImageWatch } from './core/container/image-watch.ts'
import { removeOrphans } from './core/container/orphans.ts'
import { errorMessage } from './core/errors.ts'
import { createEventBus } from './core/events.ts'
import { createGroupsService, type GroupsService } from './core/groups.ts'
import type { AgentRunner } from './core/runner/types.ts'
import { buildAgentImage } from './image/agent-image.ts'
import { BUILTIN_PLUGINS } from './plugins/builtin/index.ts'
import { notifyGroupHooks } from './plugins/group-hooks.ts'
import { watchPluginDir } from './plugins/watcher.ts'
import { VERSION } from './version.ts'
import { globalBudget } from './web/adapters/usage.ts'

/*
 * The composition root: the only place that picks concrete parts (SQLite file, log sinks, docker
 * runtime, channels, web app). Each builder in src/app/ is one small step, called in dependency order:
 *
 *   runtime (app/runtime.ts: config, db, logs, shutdown)
 *   → container runtime and agent runner (app/runner.ts)
 *   → platform channels (app/channels.ts)
 *   → core (app/core.ts: groups, plugins, outbound, queue, turns, task runs, scheduler, IPC)
 *   → web server (app/web.ts)
 *
 * `serve`, `run`, `session` and the tests are presets over these builders. Nothing runs at import.
 */

export type { Core } from './app/core.ts'
export { createContainerRuntime, createRunner, mountPolicy } from './app/runner.ts'
export { createRuntime, type Runtime, type RuntimeOptions } from './app/runtime.ts'
export { startWebServer, type WebServer, type WebServerOptions } from './app/web.ts'

export type CoreParts = Pick<
  CoreDeps,
  | 'runner'
  | 'removeOrphans'
  | 'runTask'
  | 'bus'
  | 'plugins'
  | 'channels'
  | 'hooks'
  | 'pluginConfig'
  | 'agentImage'
> & {
  /** `<data dir>/plugins` loadable (serve); `pluginManager.load()` loads the files. */
  pluginFiles?: boolean
}

/** The core over a runtime's config, repos, paths, clock and log (serve and the integration tests). */
export function createCore(rt: Runtime, { pluginFiles, ...parts }: CoreParts): Core {
  const core = composeCore({
    builtins: BUILTIN_PLUGINS,
    pluginDir: pluginFiles ? rt.paths.plugins : undefined,
    config: rt.config,
    repos: rt.repos,
    paths: rt.paths,
    clock: rt.clock,
    log: rt.log,
    transaction: (fn) => rt.db.transaction(fn).immediate(),
    checkMount: mountPolicy(rt).check,
    globalBudget: () => globalBudget(rt.config),
    agentLimits: {
      messagesPerMinute: rt.config.agentMessagesPerMinute,
      maxTasks: rt.config.agentMaxTasks,
      ipcMaxBytes: rt.config.agentIpcMaxBytes,
    },
    files: {
      transcriber: rt.config.transcriptionUrl
        ? createTranscriber({
            url: rt.config.transcriptionUrl,
            apiKey: rt.config.transcriptionApiKey,
            model: rt.config.transcriptionModel,
          })
        : undefined,
    },
    version: VERSION,
    ...parts,
  })
  // Every way a group comes or goes (dashboard, API, CLI, an agent's IPC) reaches the plugins.
  notifyGroupHooks(core.bus, core.plugins, core.groups)
  return core
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

export interface Served {
  core: Core
  web: WebServer
}

/**
 * `ngb serve`: every part, started in order. Each stop goes on `rt.shutdown`, which runs in reverse:
 * web first (no new chat input), then the scheduler, then the queue drains.
 */
export async function startServe(
  rt: Runtime,
  opts: {
    loaded: LoadedConfig
    startedAt: number
    /** Called as soon as the dashboard listens (before containers and channels start). */
    onListening?: (web: WebServer) => void
  },
): Promise<Served> {
  const bus = createEventBus((error, event) =>
    rt.log.warn('event listener failed', { event: event.type, error: errorMessage(error) }),
  )
  const containers = createContainerRuntime(rt)
  const { containerCli: cli, containerImage, agentProvider } = rt.config
  const image = createImageWatch({
    image: containerImage,
    exists: (name) => imageExists(cli, name),
    buildImage: (tag) => buildAgentImage({ cli, provider: agentProvider, tag }),
    clock: rt.clock,
    log: rt.log.child({ component: 'image' }),
    bus,
  })
  rt.shutdown.add({ name: 'image watch', run: () => image.stop() })
  // Built before the channels: webhook platforms mount their routes into it; the web server serves it.
  const hooks = createWebhookRouter({ log: rt.log })
  const core = createCore(rt, {
    bus,
    agentImage: image,
    runner: createRunner(rt, { runtime: containers, bus }),
    removeOrphans: async () => (await removeOrphans(containers, rt.installId)).length,
    channels: await createChannels(rt, hooks),
    hooks,
    pluginConfig: opts.loaded.plugins,
    pluginFiles: true,
  })
  await startPluginFiles(rt, core)
  rt.shutdown.add({ name: 'orchestrator', run: () => core.orchestrator.stop(10_000), timeoutMs: 12_000 })
  rt.shutdown.add({ name: 'scheduler', run: () => core.tasks.stop(), timeoutMs: 2000 })
  // The dashboard listens first, so /api/health answers while containers and channels start.
  const web = await startWebServer(rt, opts.startedAt, { loaded: opts.loaded, bus: core.bus, core, image })
  rt.shutdown.add({ name: 'web', run: () => web.stop(), timeoutMs: 1500 })
  // Says once, at start, when the image is missing; turns wait for it instead of failing.
  void image.check()
  opts.onListening?.(web)
  await core.orchestrator.start()
  await applyDashboardChannelFlags(rt, core.channels)
  core.tasks.start()
  core.budget.start()
  rt.shutdown.add({ name: 'budget', run: () => core.budget.stop() })
  return { core, web }
}

/** `ngb run` and a local `ngb session`: the agent runner and the groups, without the pipeline. */
export function createRunPreset(rt: Runtime): { runner: AgentRunner; groups: GroupsService } {
  return {
    runner: createRunner(rt),
    groups: createGroupsService({
      repos: rt.repos,
      bus: createEventBus(),
      clock: rt.clock,
      groupsDir: rt.paths.groups,
    }),
  }
}
