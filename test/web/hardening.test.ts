import { afterAll, describe, expect, test } from 'bun:test'
import { loadConfig } from '../../src/config/load.ts'
import { createEventBus } from '../../src/core/events.ts'
import { systemClock } from '../../src/util/clock.ts'
import { createLogger } from '../../src/util/log.ts'
import { createWebServices } from '../../src/web/adapters/index.ts'
import { createWebApp } from '../../src/web/app.ts'
import { createAuthService } from '../../src/web/auth/auth-service.ts'
import { allowedHostnames } from '../../src/web/auth/guard.ts'
import { createLoginThrottle } from '../../src/web/auth/throttle.ts'
import { listenSafely } from '../../src/web/listen.ts'
import { testDb } from '../helpers/db.ts'
import { tempDir } from '../helpers/temp.ts'

/** The dashboard on a real socket, as `ngb serve` listens, with no admin yet (setup pending). */
function serveFresh() {
  const { repos } = testDb()
  const dataDir = tempDir('ngb-hard-')
  const loaded = loadConfig({ env: { NGB_DATA_DIR: dataDir, NGB_TZ: 'UTC' } })
  const now = () => Date.now()
  const auth = createAuthService({
    users: repos.users,
    sessions: repos.webSessions,
    apiTokens: repos.apiTokens,
    meta: repos.meta,
    throttle: createLoginThrottle({ now }),
    now,
  })
  const bus = createEventBus()
  const app = createWebApp({
    version: '0.0.0-test',
    startedAt: now(),
    clock: { now },
    log: createLogger({ level: 'error', sinks: [] }),
    bus,
    services: createWebServices({ repos, bus, loaded, groupsDir: `${dataDir}/groups`, clock: systemClock }),
    auth,
    allowedHosts: allowedHostnames('127.0.0.1'),
    messageCount: () => 0,
  })
  listenSafely(app, '127.0.0.1', 0)
  const port = app.server?.port ?? 0
  return { app, auth, repos, base: `http://127.0.0.1:${port}`, port }
}

/** Sends raw bytes over TCP and returns the whole answer (the server closes after an HTTP/1.0 reply). */
async function rawHttp(port: number, request: string): Promise<string> {
  let out = ''
  const { promise, resolve } = Promise.withResolvers<string>()
  const socket = await Bun.connect({
    hostname: '127.0.0.1',
    port,
    socket: {
      data(_s, chunk) {
        out += new TextDecoder().decode(chunk)
      },
      close() {
        resolve(out)
      },
      error() {
        resolve(out)
      },
    },
  })
  socket.write(request)
  socket.flush()
  return promise
}

const web = serveFresh()
afterAll(() => web.app.stop(true))

describe('hostile requests get a 4xx, never a 500 or a developer page', () => {
  test('a request without a Host header answers 400 with no source or path in it', async () => {
    const answer = await rawHttp(web.port, 'GET /api/health HTTP/1.0\r\n\r\n')
    expect(answer).toMatch(/^HTTP\/1\.[01] 400/)
    expect(answer).not.toContain(process.cwd())
    expect(answer).not.toContain('.ts')
  })

  test('JSON nested 20,000 levels deep answers 400 on /login and on an API route', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`
    for (const path of ['/login', '/api/groups']) {
      const res = await fetch(`${web.base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: web.base },
        body: deep,
      })
      expect({ path, status: res.status }).toEqual({ path, status: 400 })
    }
  })

  test('a body over the size limit is refused with 413', async () => {
    const res = await fetch(`${web.base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: web.base },
      body: JSON.stringify({ username: 'admin', password: 'x'.repeat(2 * 1024 * 1024) }),
    })
    expect(res.status).toBe(413)
  })

  test('ten concurrent POST /setup with the valid token: one success, nine 4xx', async () => {
    const token = web.auth.issueSetupToken()
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${web.base}/setup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', origin: web.base },
          body: JSON.stringify({ token, password: 'a long enough password' }),
        }).then((r) => r.status),
      ),
    )
    expect(answers.filter((s) => s === 200)).toHaveLength(1)
    expect(answers.filter((s) => s >= 400 && s < 500)).toHaveLength(9)
    expect(web.repos.users.count()).toBe(1)
  })
})
