import type { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import type { LoadedConfig } from './config/load.ts'
import { secretValues } from './config/load.ts'
import type { DataPaths } from './config/paths.ts'
import { dataPaths, defaultConfigDir } from './config/paths.ts'
import type { Config } from './config/schema.ts'
import { allowlistPath, loadMountAllowlist } from './core/container/allowlist.ts'
import { createDockerRuntime } from './core/container/docker.ts'
import type { ContainerRuntime } from './core/container/runtime.ts'
import type { EventBus } from './core/events.ts'
import { createAgentRunner } from './core/runner/run-turn.ts'
import type { AgentRunner } from './core/runner/types.ts'
import { openDatabase } from './db/open.ts'
import type { Repos } from './db/repos/index.ts'
import { createRepos } from './db/repos/index.ts'
import type { Clock } from './util/clock.ts'
import { systemClock } from './util/clock.ts'
import type { Logger } from './util/log.ts'
import { createConsoleSink, createLogger, createRotatingFileSink } from './util/log.ts'
import type { Masker } from './util/mask.ts'
import { createMasker } from './util/mask.ts'
import type { Shutdown } from './util/shutdown.ts'
import { createShutdown } from './util/shutdown.ts'
import { VERSION } from './version.ts'
import { createWebApp } from './web/app.ts'

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
      return load.ok ? load.allowlist : undefined
    },
    protectedPaths: [rt.paths.dataDir, configDir],
    home: process.env.HOME ?? configDir,
    bus: opts.bus,
  })
}

export interface WebServer {
  url: string
  port: number
  stop(): Promise<void>
}

/** Starts the dashboard/API on the configured host and port. */
export function startWebServer(rt: Runtime, startedAt: number): WebServer {
  const app = createWebApp({ version: VERSION, startedAt, clock: rt.clock })
  app.listen({ hostname: rt.config.webHost, port: rt.config.webPort })
  const server = app.server
  if (!server) throw new Error('web server did not start')
  const port = server.port ?? rt.config.webPort
  const host = rt.config.webHost.includes(':') ? `[${rt.config.webHost}]` : rt.config.webHost
  return {
    url: `http://${host}:${port}`,
    port,
    stop: async () => {
      await app.stop(true)
    },
  }
}
