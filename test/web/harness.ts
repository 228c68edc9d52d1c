import { join } from 'node:path'
import type { LoadedConfig } from '../../src/config/load.ts'
import { loadConfig } from '../../src/config/load.ts'
import type { WebhookRouter } from '../../src/core/channel/webhooks.ts'
import type { NgbEvent } from '../../src/core/events.ts'
import { createEventBus } from '../../src/core/events.ts'
import { systemClock } from '../../src/util/clock.ts'
import { createLogger } from '../../src/util/log.ts'
import { createWebServices } from '../../src/web/adapters/index.ts'
import type { WebProbes } from '../../src/web/app.ts'
import { createWebApp } from '../../src/web/app.ts'
import { createAuthService } from '../../src/web/auth/auth-service.ts'
import { allowedHostnames, SESSION_COOKIE } from '../../src/web/auth/guard.ts'
import { createLoginThrottle } from '../../src/web/auth/throttle.ts'
import type { WebServices } from '../../src/web/services.ts'
import { testDb } from '../helpers/db.ts'
import { tempDir } from '../helpers/temp.ts'

export const PASSWORD = 'correct horse battery'

/** Loosely typed JSON for assertions: any property or element, never `any`. */
export type Json = Record<string, unknown> & Array<Record<string, unknown>>

/** A web app over a real migrated SQLite file, a real bus and the repo-backed services. */
export async function createTestWeb(
  opts: { services?: Partial<WebServices>; probes?: WebProbes; hooks?: WebhookRouter } = {},
) {
  const { repos } = testDb()
  const dataDir = tempDir('ngb-web-')
  const loaded: LoadedConfig = loadConfig({
    env: { NGB_DATA_DIR: dataDir, ANTHROPIC_API_KEY: 'sk-ant-secret-value', NGB_TZ: 'UTC' },
  })
  const bus = createEventBus()
  const events: NgbEvent[] = []
  bus.on('*', (e) => events.push(e))
  const now = () => Date.now()
  const auth = createAuthService({
    users: repos.users,
    sessions: repos.webSessions,
    apiTokens: repos.apiTokens,
    meta: repos.meta,
    throttle: createLoginThrottle({ now, freeFailures: 3 }),
    now,
  })
  await auth.syncAdminPassword(PASSWORD)
  const services = createWebServices(
    { repos, bus, loaded, groupsDir: join(dataDir, 'groups'), clock: systemClock },
    opts.services,
  )
  const app = createWebApp({
    version: '0.0.0-test',
    startedAt: now(),
    clock: { now },
    log: createLogger({ level: 'error', sinks: [] }),
    bus,
    services,
    auth,
    allowedHosts: allowedHostnames('127.0.0.1'),
    messageCount: () => repos.messages.count(),
    probes: opts.probes,
    hooks: opts.hooks,
  })
  const { sessionId } = await auth.login('admin', PASSWORD, 'test')
  const principal = auth.fromSession(sessionId)
  if (!principal) throw new Error('no principal after login')
  const csrf = auth.csrfToken(principal)
  const cookie = `${SESSION_COOKIE}=${sessionId}`
  const { token: apiToken } = auth.createApiToken('tests')

  /** A request as the logged-in browser (cookie + CSRF), or as `as` says. */
  async function call(
    method: string,
    path: string,
    body?: unknown,
    as: 'session' | 'token' | 'none' | 'session-no-csrf' = 'session',
    extra: Record<string, string> = {},
  ) {
    const headers: Record<string, string> = { ...extra }
    if (as === 'session' || as === 'session-no-csrf') headers.cookie = cookie
    if (as === 'session') headers['x-csrf-token'] = csrf
    if (as === 'token') headers.authorization = `Bearer ${apiToken}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const res = await app.handle(
      new Request(`http://localhost${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    )
    const text = await res.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return {
      status: res.status,
      text,
      json: json as Json,
      headers: res.headers,
    }
  }
  return { app, repos, bus, events, auth, services, call, cookie, csrf, apiToken, dataDir }
}
