import { describe, expect, test } from 'bun:test'
import { createAuthService } from '../../../src/web/auth/auth-service.ts'
import { createLoginThrottle } from '../../../src/web/auth/throttle.ts'
import { testDb } from '../../helpers/db.ts'
import { createTestWeb, PASSWORD } from '../harness.ts'

describe('login throttle', () => {
  test('delays grow exponentially after the free failures, up to a short cap', () => {
    let now = 0
    const t = createLoginThrottle({ now: () => now, freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 30_000 })
    const waits: number[] = []
    for (let i = 0; i < 10; i++) {
      now += t.retryAfterMs(['account:admin'])
      t.fail(['account:admin'])
      waits.push(t.retryAfterMs(['account:admin']))
    }
    expect(waits).toEqual([0, 0, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000])
    // An attempt refused during the wait does not lengthen it.
    expect(t.retryAfterMs(['account:admin'])).toBe(30_000)
    now += 30_000
    expect(t.retryAfterMs(['account:admin'])).toBe(0)
    t.succeed(['account:admin'])
    t.fail(['account:admin'])
    expect(t.retryAfterMs(['account:admin'])).toBe(0)
  })
})

function auth(now: () => number) {
  const { repos } = testDb()
  return createAuthService({
    users: repos.users,
    sessions: repos.webSessions,
    apiTokens: repos.apiTokens,
    meta: repos.meta,
    throttle: createLoginThrottle({ now, freeFailures: 3 }),
    now,
  })
}

describe('auth.login throttling', () => {
  test('keyed on the account: other loopback clients cannot lock the admin out past a short delay', async () => {
    let now = 1_000_000
    const a = auth(() => now)
    await a.syncAdminPassword(PASSWORD)
    // Fifty failures "from" loopback: the correct password still works once the capped delay passed.
    for (let i = 0; i < 50; i++) {
      now += 60_000
      await a.login('admin', 'wrong', '127.0.0.1').catch(() => undefined)
    }
    const refused = await a.login('admin', PASSWORD, '127.0.0.1').catch((e: unknown) => e)
    expect(refused).toMatchObject({ status: 429, code: 'rate_limited' })
    expect((refused as { retryAfterS: number }).retryAfterS).toBeLessThanOrEqual(30)
    now += 30_000
    expect((await a.login('admin', PASSWORD, '127.0.0.1')).sessionId).toBeString()
  }, 30_000)

  test('a non-loopback address is throttled too, across accounts', async () => {
    const now = 1_000_000
    const a = auth(() => now)
    await a.syncAdminPassword(PASSWORD)
    for (let i = 0; i < 3; i++) await a.login(`user${i}`, 'wrong', '203.0.113.9').catch(() => undefined)
    // A fourth name from the same address waits; the same name from loopback does not.
    await expect(a.login('someone', 'wrong', '203.0.113.9')).rejects.toMatchObject({ status: 429 })
    await expect(a.login('someone', 'wrong', '127.0.0.1')).rejects.toMatchObject({ code: 'unauthorized' })
  }, 30_000)
})

describe('429 answers', () => {
  test('the form and the JSON 429 carry Retry-After; the JSON body says rate_limited', async () => {
    const web = await createTestWeb()
    const post = (type: 'form' | 'json') =>
      web.app.handle(
        new Request('http://localhost/login', {
          method: 'POST',
          headers: {
            'content-type': type === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
          },
          body:
            type === 'json'
              ? JSON.stringify({ username: 'admin', password: 'wrong' })
              : 'username=admin&password=wrong',
        }),
      )
    for (let i = 0; i < 3; i++) await post('form')
    const form = await post('form')
    expect(form.status).toBe(429)
    expect(Number(form.headers.get('retry-after'))).toBeGreaterThan(0)
    const json = await post('json')
    expect(json.status).toBe(429)
    expect(Number(json.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await json.json()) as { error: string }).error).toBe('rate_limited')
  }, 30_000)
})
