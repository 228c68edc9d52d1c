import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { deepJsonText, junk, randomJson } from './gen.ts'
import { forAll } from './prng.ts'
import { type LiveWebhook, WEBHOOK_TARGETS } from './webhooks.ts'

describe.each(WEBHOOK_TARGETS.map((t) => [t.name, t] as const))('%s webhook (property)', (_name, target) => {
  let hook: LiveWebhook
  beforeAll(async () => {
    hook = await target.start()
  })
  afterAll(() => hook?.stop())

  const post = (body: string, headers: Record<string, string>, method = 'POST', url = hook.url) =>
    fetch(url, { method, headers, body: method === 'GET' ? undefined : body })

  test('forged credentials are refused with 401 whatever the body, and nothing reaches the pipeline', async () => {
    const before = hook.inbound.length
    await forAll('webhook forged', 150, async (rng) => {
      const body = rng.bool() ? hook.validEvent(rng, `forged ${rng.int(0, 1e9)}`) : junk(rng, 200)
      const res = await post(body, hook.forged(rng, body))
      expect(res.status).toBe(401)
    })
    expect(hook.inbound.length).toBe(before)
  })

  test('authentic garbage and mangled events get a 2xx or 4xx, never a 5xx', async () => {
    await forAll('webhook bodies', 300, async (rng) => {
      const body = rng.pick([
        () => hook.mangledEvent(rng),
        () => JSON.stringify(randomJson(rng, 5)),
        () => junk(rng, 300),
        () => deepJsonText(rng.int(100, 20_000)),
        () => '',
      ])()
      const res = await post(body, hook.authentic(body))
      await res.arrayBuffer()
      expect(res.status).toBeLessThan(500)
    })
  })

  test('authentic valid events reach the pipeline exactly once each, in order', async () => {
    const texts: string[] = []
    await forAll('webhook valid', 50, async (rng, i) => {
      const text = `valid ${i} ${junk(rng, 20).replace(/\p{Cc}/gu, ' ')}`.trim()
      texts.push(text)
      const body = hook.validEvent(rng, text)
      const res = await post(body, hook.authentic(body))
      expect(res.status).toBe(200)
    })
    const got = hook.inbound.map((m) => m.text).filter((t) => t.startsWith('valid '))
    expect(got).toEqual(texts)
  })

  test('other paths and methods are refused, not crashed', async () => {
    expect((await post('{}', hook.authentic('{}'), 'GET')).status).toBe(405)
    expect((await post('{}', hook.authentic('{}'), 'POST', `${hook.url}/../other`)).status).toBe(404)
  })
})
