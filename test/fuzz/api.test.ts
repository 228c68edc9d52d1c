import { describe, expect, test } from 'bun:test'
import { createTestWeb } from '../web/harness.ts'
import { deepJsonText, junk, randomJson } from './gen.ts'
import { forAll, type Rng } from './prng.ts'

const web = await createTestWeb()
// Logging out would end the session the rest of the run uses; it takes no body anyway.
const WRITE_ROUTES = web.app.routes.filter(
  (r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && r.path !== '/logout',
)

function fillPath(path: string, rng: Rng): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const value = rng.pick<() => string>([
      () => (name === 'folder' ? 'main' : name === 'name' ? rng.pick(['telegram', 'web', 'enable']) : 'x'),
      () => junk(rng, 20),
      () => rng.pick(['..', '%2e%2e', 'telegram:1', 'a'.repeat(300), '%00', '%ZZ']),
    ])()
    return /^%/.test(value) ? value : encodeURIComponent(value)
  })
}

function randomBody(rng: Rng): { body: string; type: string | undefined } {
  return rng.pick<() => { body: string; type: string | undefined }>([
    () => ({ body: JSON.stringify(randomJson(rng, 5)), type: 'application/json' }),
    () => ({ body: junk(rng, 200), type: 'application/json' }),
    () => ({
      body: new URLSearchParams(
        Array.from({ length: rng.int(0, 5) }, () => [
          rng.pick(['folder', 'name', 'text', 'trigger', 'token', 'jid', junk(rng, 6)]),
          junk(rng, 30),
        ]),
      ).toString(),
      type: 'application/x-www-form-urlencoded',
    }),
    () => ({ body: junk(rng, 100), type: rng.pick([undefined, 'text/plain', 'multipart/form-data', '']) }),
    () => ({
      body: deepJsonText(rng.int(50, 3000), '{"a":', '}').replace('{"a":}', '{"a":1}'),
      type: 'application/json',
    }),
  ])()
}

async function send(method: string, path: string, body: string, type: string | undefined, auth = true) {
  const headers: Record<string, string> = {}
  if (type !== undefined) headers['content-type'] = type
  if (auth) Object.assign(headers, { cookie: web.cookie, 'x-csrf-token': web.csrf })
  const res = await web.app.handle(new Request(`http://localhost${path}`, { method, headers, body }))
  const text = await res.text()
  return { status: res.status, text }
}

describe('API bodies (property)', () => {
  test(`random bodies against every write route (${WRITE_ROUTES.length}) answer below 500`, async () => {
    await forAll('api bodies', 2000, async (rng) => {
      const route = rng.pick(WRITE_ROUTES)
      const path = fillPath(route.path, rng)
      const { body, type } = randomBody(rng)
      const res = await send(route.method, path, body, type, rng.bool(0.9))
      if (res.status >= 500)
        throw new Error(`${route.method} ${path} answered ${res.status}: ${res.text.slice(0, 300)}`)
    })
  })

  // Before rel-fixes these answered 500 after seconds of parsing (issue 13).
  test.each([
    ['POST', '/login'],
    ['POST', '/api/groups/'],
    ['PATCH', '/api/groups/main'],
    ['POST', '/api/tasks/'],
  ])('corpus: 20,000-level JSON to %s %s is a 4xx', async (method, path) => {
    for (const body of [
      deepJsonText(20_000),
      deepJsonText(20_000, '{"a":', '}').replace('{"a":}', '{"a":1}'),
    ]) {
      const res = await send(method, path, body, 'application/json', path !== '/login')
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
    }
  })
})
