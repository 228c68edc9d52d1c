import { openapi } from '@elysiajs/openapi'
import { toJsonSchema } from '@valibot/to-json-schema'
import { Elysia } from 'elysia'
import { LoginForm, SetupForm } from '../../views/layout.tsx'
import { createWebhookRouter, type WebhookRouter } from '../core/channel/webhooks.ts'
import type { EventBus, NgbEvent } from '../core/events.ts'
import type { Clock } from '../util/clock.ts'
import type { Logger } from '../util/log.ts'
import { chatsApi } from './api/chats.ts'
import { filesApi } from './api/files.ts'
import { groupsApi } from './api/groups.ts'
import { imageApi } from './api/image.ts'
import { metricsRoute } from './api/metrics.ts'
import { runsApi } from './api/runs.ts'
import { systemApi } from './api/system.ts'
import { tasksApi } from './api/tasks.ts'
import { usageApi } from './api/usage.ts'
import type { AuthService } from './auth/auth-service.ts'
import { authGuard, hostGuard } from './auth/guard.ts'
import { logoutRoute, publicAuthRoutes } from './auth/routes.ts'
import { errorHandler } from './errors.ts'
import { HOOK_ROUTES, webhookRoutes } from './hooks.ts'
import { jsonBodyGuard } from './json-body.ts'
import { groupsPages } from './pages/groups.tsx'
import { overviewPage } from './pages/overview.tsx'
import { pageRenderer } from './pages/render.tsx'
import { systemPages } from './pages/system.tsx'
import { tasksPages } from './pages/tasks.tsx'
import { usagePage } from './pages/usage.tsx'
import { securityHeaders } from './security-headers.ts'
import type { WebServices } from './services.ts'
import { ASSETS, staticAssets } from './static.ts'
import { wsRoutes } from './ws.ts'

export interface WebProbes {
  /** Dashboard chat: POST handler entered → message handed to the pipeline. */
  chatHandedOver?: (ms: number) => void
  /** Bus event received → its WebSocket frame(s) sent. */
  frameSent?: (e: NgbEvent, ms: number) => void
}

export interface WebAppDeps {
  version: string
  startedAt: number
  clock: Pick<Clock, 'now'>
  log: Logger
  bus: EventBus
  services: WebServices
  auth: AuthService
  /** Hostnames accepted in the Host header (DNS-rebinding defence). */
  allowedHosts: Set<string>
  messageCount: () => number
  /** Agent actions refused by the per-group limits (core/ipc/limits.ts), for /metrics. */
  limitRefusals?: () => Array<{ group: string; kind: string; refused: number }>
  probes?: WebProbes
  /** Platform webhooks under /hooks/<platform>; channels mount into it (an empty router when absent). */
  hooks?: WebhookRouter
}

/** Routes reachable without a session or token; everything else is behind the guard. */
export const PUBLIC_ROUTES = [
  'GET /api/health',
  'GET /login',
  'POST /login',
  'GET /setup',
  'POST /setup',
  // Called by chat platforms, not users: each handler checks its platform's signature instead.
  ...HOOK_ROUTES,
  ...Object.values(ASSETS).map((p) => `GET ${p}`),
]

/** The dashboard and API as an Elysia app, without listening: tests call `app.handle()`. */
export function createWebApp(deps: WebAppDeps) {
  const now = () => deps.clock.now()
  const renderLogin = (next: string, error?: string) => String(LoginForm({ next, error, css: ASSETS.css }))
  const guard = authGuard({ auth: deps.auth, renderLogin: (next) => renderLogin(next) })
  const render = pageRenderer(deps.auth)
  const s = deps.services
  const ws = wsRoutes({
    bus: deps.bus,
    guard,
    auth: deps.auth,
    groupExists: (folder) => s.groups.list().some((g) => g.folder === folder),
    log: deps.log.child({ component: 'ws' }),
    runs: s.runs,
    usage: s.usage,
    tasks: s.tasks,
    webChat: s.webChat,
    now,
    onFrameSent: deps.probes?.frameSent,
  })
  return (
    new Elysia()
      .use(securityHeaders())
      .use(errorHandler(deps.log.child({ component: 'web' })))
      .use(hostGuard(deps.allowedHosts))
      // Before the JSON guard: a webhook's signature is over the raw bytes, which no parser may consume.
      .use(webhookRoutes(deps.hooks ?? createWebhookRouter({ log: deps.log })))
      .use(jsonBodyGuard())
      // ---- public: keep PUBLIC_ROUTES in step (test/web/route-table.test.ts checks both ways) ----
      .get('/api/health', () => ({
        status: 'ok' as const,
        version: deps.version,
        uptimeMs: now() - deps.startedAt,
      }))
      .use(staticAssets())
      .use(
        publicAuthRoutes({
          auth: deps.auth,
          pages: {
            login: renderLogin,
            setup: (token, error) => String(SetupForm({ token, error, css: ASSETS.css })),
          },
        }),
      )
      // ---- everything below requires a session or an API token ----
      .use(guard)
      .use(
        openapi({
          provider: null,
          path: '/api/openapi',
          mapJsonSchema: {
            valibot: (schema: Parameters<typeof toJsonSchema>[0]) =>
              toJsonSchema(schema, { errorMode: 'ignore' }),
          },
          documentation: { info: { title: 'ngb API', version: deps.version } },
        }),
      )
      .use(logoutRoute(guard, deps.auth))
      .use(groupsApi(s.groups))
      .use(filesApi(s.files))
      .use(chatsApi({ chats: s.chats, groups: s.groups, webChat: s.webChat, guard }))
      .use(tasksApi(s.tasks))
      .use(imageApi(s.image))
      .use(runsApi({ runs: s.runs, sessions: s.sessions }))
      .use(usageApi(s.usage))
      .use(systemApi({ channels: s.channels, plugins: s.plugins, config: s.config, auth: deps.auth }))
      .use(ws.app)
      .use(
        metricsRoute({
          services: s,
          messageCount: deps.messageCount,
          limitRefusals: deps.limitRefusals,
          wsClients: ws.clientCount,
          uptimeMs: () => now() - deps.startedAt,
        }),
      )
      .use(
        overviewPage({
          guard,
          render,
          services: s,
          version: deps.version,
          uptimeMs: () => now() - deps.startedAt,
          messageCount: deps.messageCount,
        }),
      )
      .use(groupsPages({ guard, render, services: s, onChatHandedOver: deps.probes?.chatHandedOver }))
      .use(tasksPages({ guard, render, services: s }))
      .use(systemPages({ guard, render, services: s, auth: deps.auth }))
      .use(usagePage({ guard, render, services: s }))
      .onStop(() => ws.stop())
  )
}

export type WebApp = ReturnType<typeof createWebApp>
