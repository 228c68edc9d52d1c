import type { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import type { LoadedConfig } from '../config/load.ts'
import { secretValues } from '../config/load.ts'
import type { DataPaths } from '../config/paths.ts'
import { dataPaths } from '../config/paths.ts'
import type { Config } from '../config/schema.ts'
import { openDatabase } from '../db/open.ts'
import type { Repos } from '../db/repos/index.ts'
import { createRepos } from '../db/repos/index.ts'
import type { Clock } from '../util/clock.ts'
import { systemClock } from '../util/clock.ts'
import type { Logger } from '../util/log.ts'
import { createConsoleSink, createLogger, createRotatingFileSink } from '../util/log.ts'
import type { Masker } from '../util/mask.ts'
import { createMasker } from '../util/mask.ts'
import type { Shutdown } from '../util/shutdown.ts'
import { createShutdown } from '../util/shutdown.ts'

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

/** Step 1 of every preset: config, data dir, secret masking, logs, the database, shutdown. */
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
