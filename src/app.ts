import type { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import type { Channel } from './channels/channel.ts'
import type { LoadedConfig } from './config/load.ts'
import { secretValues } from './config/load.ts'
import type { DataPaths } from './config/paths.ts'
import { dataPaths } from './config/paths.ts'
import type { Config } from './config/schema.ts'
import { openDatabase } from './db/open.ts'
import type { Repos } from './db/repos/index.ts'
import { createRepos } from './db/repos/index.ts'
import type { Clock } from './util/clock.ts'
import { systemClock } from './util/clock.ts'
import type { Logger } from './util/log.ts'
import { createConsoleSink, createLogger, createRotatingFileSink } from './util/log.ts'
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
  return { config, paths, db, repos, log, clock: opts.clock ?? systemClock, installId, shutdown }
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

/**
 * The chat platforms whose credentials are configured. Each SDK is imported only when its
 * platform is in use, so `ngb` starts fast and a missing platform costs nothing.
 */
export async function createPlatformChannels(config: Config, log: Logger): Promise<Channel[]> {
  const channels: Channel[] = []
  const { assistantName } = config
  if (config.telegramBotToken) {
    const { createTelegramChannel } = await import('./channels/telegram/index.ts')
    channels.push(
      createTelegramChannel({
        token: config.telegramBotToken,
        apiRoot: config.telegramApiRoot,
        assistantName,
        log,
      }),
    )
  }
  if (config.discordBotToken) {
    const { createDiscordChannel } = await import('./channels/discord/index.ts')
    channels.push(
      createDiscordChannel({
        token: config.discordBotToken,
        apiBase: config.discordApiBase,
        assistantName,
        log,
      }),
    )
  }
  if (config.slackBotToken && config.slackAppToken) {
    const { createSlackChannel } = await import('./channels/slack/index.ts')
    channels.push(
      createSlackChannel({
        botToken: config.slackBotToken,
        appToken: config.slackAppToken,
        apiUrl: config.slackApiUrl,
        assistantName,
        log,
      }),
    )
  } else if (config.slackBotToken || config.slackAppToken) {
    log.warn('Slack needs both SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode); Slack stays off', {
      component: 'channels',
    })
  }
  return channels
}
