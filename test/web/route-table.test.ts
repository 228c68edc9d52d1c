import { describe, expect, test } from 'bun:test'
import { PUBLIC_ROUTES } from '../../src/web/app.ts'
import { createTestWeb } from './harness.ts'

const web = await createTestWeb()
const httpRoutes = web.app.routes.filter((r) => r.method !== 'WS')
const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`
const concrete = (path: string) =>
  path.replace(/:(\w+)/g, (_, name: string) => (name === 'folder' ? 'main' : 'x'))

describe('route table', () => {
  test('has the routes this test walks', () => {
    expect(httpRoutes.length).toBeGreaterThan(50)
  })

  test('every public route exists (a typo would hide an exemption)', () => {
    const all = new Set(httpRoutes.map(key))
    for (const p of PUBLIC_ROUTES) expect(all.has(p)).toBe(true)
  })

  test.each(httpRoutes.filter((r) => !PUBLIC_ROUTES.includes(key(r))).map((r) => [key(r), r.method, r.path]))(
    '%s answers 401 without a session or token',
    async (_k, method, path) => {
      const res = await web.app.handle(new Request(`http://localhost${concrete(path)}`, { method }))
      expect(res.status).toBe(401)
    },
  )

  test.each(httpRoutes.map((r) => [key(r), r.method, r.path]))(
    '%s answers 403 for a foreign Host, even logged in',
    async (_k, method, path) => {
      const res = await web.app.handle(
        new Request(`http://localhost${concrete(path)}`, {
          method,
          headers: { host: 'attacker.example:8080', cookie: web.cookie, 'x-csrf-token': web.csrf },
        }),
      )
      expect(res.status).toBe(403)
    },
  )

  test('an invalid bearer token or cookie is 401, not a crash', async () => {
    const cases: Array<Record<string, string>> = [
      { authorization: 'Bearer ngb_nope' },
      { cookie: 'ngb_session=forged' },
    ]
    for (const headers of cases) {
      const res = await web.app.handle(new Request('http://localhost/api/groups', { headers }))
      expect(res.status).toBe(401)
    }
  })
})
