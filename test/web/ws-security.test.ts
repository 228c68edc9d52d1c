import { afterAll, describe, expect, test } from 'bun:test'
import { sha256 } from '../../src/web/auth/auth-service.ts'
import { SESSION_COOKIE } from '../../src/web/auth/guard.ts'
import { WS_CLOSE_UNAUTHORIZED } from '../../src/web/ws.ts'
import { createTestWeb, PASSWORD } from './harness.ts'

const web = await createTestWeb()
web.app.listen({ hostname: '127.0.0.1', port: 0 })
const port = web.app.server?.port
const origin = `http://127.0.0.1:${port}`
afterAll(() => web.app.stop(true))
web.services.groups.create({ folder: 'main', name: 'Main' })

interface Socket {
  ws: WebSocket
  frames: string[]
  closed: Promise<{ code: number; at: number }>
  next(pred: (f: string) => boolean): Promise<string>
}

async function open(path: string, headers: Record<string, string>): Promise<Socket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers } as unknown as string[])
  const frames: string[] = []
  const listeners: Array<() => void> = []
  ws.addEventListener('message', (m) => {
    frames.push(String(m.data))
    for (const l of listeners.splice(0)) l()
  })
  const closed = new Promise<{ code: number; at: number }>((resolve) =>
    ws.addEventListener('close', (e) => resolve({ code: e.code, at: performance.now() })),
  )
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve())
    ws.addEventListener('error', () => reject(new Error('ws error')))
  })
  const next = (pred: (f: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame; got ${frames.join(' | ')}`)), 5000)
      const check = () => {
        const hit = frames.find(pred)
        if (hit) {
          clearTimeout(timer)
          resolve(hit)
        } else listeners.push(check)
      }
      check()
    })
  await next((f) => f.includes('hello') || f.includes('live'))
  return { ws, frames, closed, next }
}

async function freshSession(): Promise<{ id: string; cookie: string }> {
  const { sessionId } = await web.auth.login('admin', PASSWORD, `ws-${Math.random()}`)
  return { id: sessionId, cookie: `${SESSION_COOKIE}=${sessionId}` }
}

/** Closed with the "session ended" code within a second of `t0`. */
async function expectClosedWithin1s(s: Socket, t0: number) {
  const result = await Promise.race([s.closed, new Promise<'open'>((r) => setTimeout(() => r('open'), 2000))])
  expect(result).not.toBe('open')
  if (result === 'open') return
  expect(result.code).toBe(WS_CLOSE_UNAUTHORIZED)
  expect(result.at - t0).toBeLessThan(1000)
}

describe('WebSockets are bound to the session or token that opened them', () => {
  test("logout closes the session's sockets (/ws and /ws/ui) within a second; other sessions stay", async () => {
    const a = await freshSession()
    const b = await freshSession()
    const json = await open('/ws', { cookie: a.cookie, origin })
    const ui = await open('/ws/ui?view=overview', { cookie: a.cookie, origin })
    const other = await open('/ws', { cookie: b.cookie, origin })
    const t0 = performance.now()
    web.auth.logout(a.id)
    await expectClosedWithin1s(json, t0)
    await expectClosedWithin1s(ui, t0)
    web.bus.publish({ type: 'group.changed', group: 'main', action: 'updated' })
    await other.next((f) => f.includes('group.changed'))
    other.ws.close()
  })

  test('revoking the API token closes its socket within a second', async () => {
    const { token, record } = web.auth.createApiToken('ws-revoke')
    const s = await open('/ws', { authorization: `Bearer ${token}` })
    const t0 = performance.now()
    web.auth.revokeApiToken(record.id)
    await expectClosedWithin1s(s, t0)
  })

  test('a password change ends the sessions and closes their sockets within a second', async () => {
    const a = await freshSession()
    const s = await open('/ws', { cookie: a.cookie, origin })
    await web.auth.syncAdminPassword('a brand new password')
    await expectClosedWithin1s(s, performance.now())
    expect(web.auth.fromSession(a.id)).toBeUndefined()
    await web.auth.syncAdminPassword(PASSWORD)
  })

  test("sessions expire server-side, and an expired session's socket closes", async () => {
    const id = 'short-lived-session-id'
    const admin = web.repos.users.byUsername('admin')
    if (!admin) throw new Error('no admin')
    const now = Date.now()
    web.repos.webSessions.create({
      idHash: sha256(id),
      userId: admin.id,
      createdAt: now,
      expiresAt: now + 600,
    })
    const s = await open('/ws', { cookie: `${SESSION_COOKIE}=${id}`, origin })
    const closed = await s.closed
    expect(closed.code).toBe(WS_CLOSE_UNAUTHORIZED)
    expect(web.auth.fromSession(id)).toBeUndefined()
    const r = await web.call('GET', '/api/groups', undefined, 'none', { cookie: `${SESSION_COOKIE}=${id}` })
    expect(r.status).toBe(401)
  })
})

describe('/ws input', () => {
  test('invalid subscriptions get a fixed error that never echoes the input; unknown groups are refused', async () => {
    const s = await open('/ws', { cookie: (await freshSession()).cookie, origin })
    const evil = '<img src=x onerror=alert(1)>'
    for (const msg of [
      JSON.stringify({ subscribe: evil }),
      JSON.stringify({ nope: evil }),
      evil,
      JSON.stringify({ subscribe: 'ghost' }),
    ]) {
      const mark = s.frames.length
      s.ws.send(msg)
      await s.next(() => s.frames.length > mark)
      expect(s.frames[mark]).toContain('"error"')
      const reply = s.frames.slice(mark).join('')
      expect(reply).not.toContain('onerror')
      expect(reply).not.toContain('ghost')
    }
    s.ws.send(JSON.stringify({ subscribe: 'main' }))
    await s.next((f) => f.includes('"subscribed"'))
    s.ws.close()
  })

  test('an upgrade for an unknown group is 404, a malformed query 422, neither echoing the input', async () => {
    const { cookie } = await freshSession()
    const upgrade = (q: string) =>
      fetch(`${origin}/ws${q}`, {
        headers: {
          upgrade: 'websocket',
          connection: 'Upgrade',
          cookie,
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      })
    const unknown = await upgrade('?group=ghost')
    expect(unknown.status).toBe(404)
    expect(await unknown.text()).not.toContain('ghost')
    const bad = await upgrade(`?group=${encodeURIComponent('<b>X</b>')}`)
    expect(bad.status).toBe(422)
    expect(await bad.text()).not.toContain('<b>')
    const ui = await fetch(`${origin}/ws/ui?view=${encodeURIComponent('<svg/onload=1>')}`, {
      headers: { upgrade: 'websocket', connection: 'Upgrade', cookie },
    })
    expect(ui.status).toBe(422)
    expect(await ui.text()).not.toContain('svg')
  })
})
