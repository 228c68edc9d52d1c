import { expect, test } from 'bun:test'
import { createWebhookRouter } from '../../src/core/channel/webhooks.ts'
import { hmacSha256Hex, verifyHmacSha256 } from '../../src/util/hmac.ts'
import { createMemoryLogger } from '../../src/util/log.ts'
import { createTestWeb } from './harness.ts'

const log = createMemoryLogger()
const hooks = createWebhookRouter({ log, maxBodyBytes: 1024 })
const web = await createTestWeb({ hooks })
const SECRET = 'app-secret'

/** A platform handler the way a channel writes one: signature over the raw bytes first, then parse. */
const received: unknown[] = []
const unmount = hooks.mount('demo', ({ method, url, headers, body }) => {
  if (method === 'GET') return new Response(url.searchParams.get('challenge') ?? '', { status: 200 })
  if (!verifyHmacSha256(SECRET, body, headers.get('x-signature'))) return new Response('bad', { status: 401 })
  received.push(JSON.parse(new TextDecoder().decode(body)))
  return new Response('ok')
})

const post = (body: string, signature: string, path = '/hooks/demo') =>
  web.app.handle(
    new Request(`http://localhost${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signature },
      body,
    }),
  )

test('a signed POST reaches the handler without a login, with the exact bytes that were signed', async () => {
  // Whitespace and key order matter to the signature: a re-serialised body would not verify.
  const body = '{ "b": 1,  "a": "é" }'
  const res = await post(body, `sha256=${hmacSha256Hex(SECRET, body)}`)
  expect(res.status).toBe(200)
  expect(received).toContainEqual({ b: 1, a: 'é' })
})

test('a bad signature is 401 and logged, and the body is never handed on', async () => {
  const before = received.length
  const res = await post('{"forged":true}', `sha256=${hmacSha256Hex('wrong', '{"forged":true}')}`)
  expect(res.status).toBe(401)
  expect(received).toHaveLength(before)
  expect(log.records.some((r) => r.msg.includes('webhook request refused') && r.platform === 'demo')).toBe(
    true,
  )
})

test('GET reaches the handler too (verification handshakes)', async () => {
  const res = await web.app.handle(new Request('http://localhost/hooks/demo?challenge=c-123'))
  expect(await res.text()).toBe('c-123')
})

test('an unknown platform is 404, an oversized body 413, a foreign Host 403', async () => {
  expect((await post('{}', 'x', '/hooks/nope')).status).toBe(404)
  expect((await post('x'.repeat(2048), 'x')).status).toBe(413)
  const foreign = await web.app.handle(
    new Request('http://localhost/hooks/demo?challenge=1', { headers: { host: 'evil.example' } }),
  )
  expect(foreign.status).toBe(403)
})

test('a handler that throws answers 500 so the platform delivers again', async () => {
  const off = hooks.mount('broken', () => {
    throw new Error('db locked')
  })
  expect((await post('{}', 'x', '/hooks/broken')).status).toBe(500)
  off()
})

test('after unmount (channel disconnected or disabled) the route answers 404', async () => {
  unmount()
  expect(hooks.mounted('demo')).toBe(false)
  expect((await post('{}', 'x')).status).toBe(404)
})

test('the JSON guard leaves webhook bodies unread: a deeply nested forged body meets the signature check, not a parser', async () => {
  const off = hooks.mount('deep', ({ body, headers }) =>
    verifyHmacSha256(SECRET, body, headers.get('x-signature'))
      ? new Response('ok')
      : new Response('bad', { status: 401 }),
  )
  // Deeper than the guard's limit and within the router's size cap: the guard would answer 400.
  const deep = `${'['.repeat(500)}${']'.repeat(500)}`
  expect((await post(deep, 'sha256=00', '/hooks/deep')).status).toBe(401)
  expect((await post(deep, `sha256=${hmacSha256Hex(SECRET, deep)}`, '/hooks/deep')).status).toBe(200)
  off()
})
