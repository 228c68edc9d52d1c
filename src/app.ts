import { applyDashboardChannelFlags, createChannels } from './app/channels.ts'
import { type Core, type CoreDeps, createCore as composeCore } from './app/core.ts'
import { createContainerRuntime, createRunner, mountPolicy } from './app/runner.ts'
import type { Runtime } from './app/runtime.ts'
import { startWebServer, type WebServer } from './app/web.ts'
import type { LoadedConfig } from './config/load.ts'
import { imageExists } from './core/container/engine.ts'
import { createImageWatch } from './core/container/image-watch.ts'
import { removeOrphans } from './core/container/orphans.ts'
import { errorMessage } from './core/errors.ts'
import { createEventBus } from './core/events.ts'
import { createGroupsService, type GroupsService } from './core/groups.ts'
import type { AgentRunner } from './core/runner/types.ts'
import { buildAgentImage } from './image/agent-image.ts'
import { VERSION } from './version.ts'

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
  'runner' | 'removeOrphans' | 'runTask' | 'bus' | 'plugins' | 'channels' | 'agentImage'
>

/** The core over a runtime's config, repos, paths, clock and log (serve and the integration tests). */
export function createCore(rt: Runtime, parts: CoreParts): Core {
  return composeCore({
    config: rt.config,
    repos: rt.repos,
    paths: rt.paths,
    clock: rt.clock,
    log: rt.log,
    transaction: (fn) => rt.db.transaction(fn).immediate(),
    checkMount: mountPolicy(rt).check,
    version: VERSION,
    ...parts,
  })
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
  const core = createCore(rt, {
    bus,
    agentImage: image,
    runner: createRunner(rt, { runtime: containers, bus }),
    removeOrphans: async () => (await removeOrphans(containers, rt.installId)).length,
    channels: await createChannels(rt),
  })
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
