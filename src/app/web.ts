import type { LoadedConfig } from '../config/load.ts'
import type { ImageWatch } from '../core/container/image-watch.ts'
import { createEventBus, type EventBus } from '../core/events.ts'
import { VERSION } from '../version.ts'
import { createWebServices } from '../web/adapters/index.ts'
import type { WebProbes } from '../web/app.ts'
import { createWebApp } from '../web/app.ts'
import { createAuthService } from '../web/auth/auth-service.ts'
import { allowedHostnames } from '../web/auth/guard.ts'
import { createLoginThrottle } from '../web/auth/throttle.ts'
import { listenSafely } from '../web/listen.ts'
import type { WebServices } from '../web/services.ts'
import type { Core } from './core.ts'
import type { Runtime } from './runtime.ts'

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
  /** Serve's agent image watch: status and the Build button. */
  image?: ImageWatch
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
      image: opts.image,
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
