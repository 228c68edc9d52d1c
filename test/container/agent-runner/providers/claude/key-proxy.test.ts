import { afterAll, describe, expect, test } from 'bun:test'
import {
  PLACEHOLDER_KEY,
  startKeyProxy,
} from '../../../../../container/agent-runner/providers/claude/key-proxy.ts'
import { createFakeAnthropic } from '../../../../fakes/anthropic.ts'

const REAL_KEY = 'sk-ant-test-real'
const upstream = createFakeAnthropic()
// A path prefix, as behind a gateway, must be kept.
const proxy = startKeyProxy({ apiKey: REAL_KEY, upstream: `${upstream.url}/` })
afterAll(async () => {
  await proxy.stop()
  await upstream.stop()
})

describe('key proxy', () => {
  test('replaces the placeholder key and streams the answer through', async () => {
    const res = await fetch(`${proxy.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'x-api-key': PLACEHOLDER_KEY, 'content-type': 'application/json', 'x-app': 'cli' },
      body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(await res.text()).toContain('"text":"fake: hi"')
    const seen = upstream.requests.at(-1)
    expect(seen).toMatchObject({ method: 'POST', path: '/v1/messages', search: '?beta=true' })
    expect(seen?.headers['x-api-key']).toBe(REAL_KEY)
    expect(seen?.headers['x-app']).toBe('cli')
    expect(JSON.stringify(seen?.headers)).not.toContain(PLACEHOLDER_KEY)
  })

  test('passes API errors through and answers 502 when the upstream is unreachable', async () => {
    const err = await fetch(`${proxy.url}/v1/nothing`, { method: 'POST', body: '{}' })
    expect(err.status).toBe(404)
    expect((await err.json()).error.type).toBe('not_found_error')
    const dead = startKeyProxy({ apiKey: REAL_KEY, upstream: 'http://127.0.0.1:1' })
    try {
      const res = await fetch(`${dead.url}/v1/messages`, { method: 'POST', body: '{}' })
      expect(res.status).toBe(502)
      const body = await res.json()
      expect(body.error.message).toContain('could not reach http://127.0.0.1:1')
      expect(JSON.stringify(body)).not.toContain(REAL_KEY)
    } finally {
      await dead.stop()
    }
  })
})
