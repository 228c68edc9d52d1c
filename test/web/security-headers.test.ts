import { describe, expect, test } from 'bun:test'
import { SECURITY_HEADERS } from '../../src/web/security-headers.ts'
import { ASSETS } from '../../src/web/static.ts'
import { createTestWeb } from './harness.ts'

const web = await createTestWeb()
web.services.groups.create({ folder: 'main', name: 'Main' })
const httpRoutes = web.app.routes.filter((r) => r.method !== 'WS')
const concrete = (path: string) =>
  path.replace(/:(\w+)/g, (_, name: string) => (name === 'folder' ? 'main' : 'x'))

function expectHeaders(res: Response, what: string) {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) {
    if (res.headers.get(k) !== v) throw new Error(`${what}: ${k} is ${res.headers.get(k)}, expected ${v}`)
  }
}

describe('security headers on every dashboard response', () => {
  test('CSP allows only same-origin scripts and styles, no inline, no eval, no framing', () => {
    const csp = SECURITY_HEADERS['content-security-policy'] ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe')
    expect(SECURITY_HEADERS['x-frame-options']).toBe('DENY')
    expect(SECURITY_HEADERS['x-content-type-options']).toBe('nosniff')
    expect(SECURITY_HEADERS['referrer-policy']).toBe('same-origin')
  })

  test.each(httpRoutes.map((r) => [`${r.method} ${r.path}`, r.method, r.path]))(
    '%s: anonymous, logged in (GET), and from a foreign Host',
    async (what, method, path) => {
      const url = `http://localhost${concrete(path)}`
      expectHeaders(await web.app.handle(new Request(url, { method })), `${what} anonymous`)
      expectHeaders(
        await web.app.handle(new Request(url, { method, headers: { host: 'attacker.example' } })),
        `${what} foreign host`,
      )
      if (method === 'GET') {
        const res = await web.app.handle(new Request(url, { headers: { cookie: web.cookie } }))
        expectHeaders(res, `${what} logged in (${res.status})`)
      }
    },
  )

  test('errors, 404s, validation failures and static assets carry them too', async () => {
    const cases: Array<[string, Response]> = [
      [
        '404',
        await web.app.handle(new Request('http://localhost/nope', { headers: { cookie: web.cookie } })),
      ],
      [
        '422',
        (await web.call('POST', '/api/groups', { folder: 'BAD NAME' }, 'token')) as unknown as Response,
      ],
      ['htmx', await web.app.handle(new Request(`http://localhost${ASSETS.htmx}`))],
      ['app.js', await web.app.handle(new Request(`http://localhost${ASSETS.js}`))],
      ['login', await web.app.handle(new Request('http://localhost/login'))],
    ]
    for (const [what, res] of cases) {
      if (res instanceof Response) expectHeaders(res, what)
      else expect((res as { headers: Headers }).headers.get('x-frame-options')).toBe('DENY')
    }
  })
})
