import { afterAll, describe, expect, test } from 'bun:test'
import type { Run } from '../../src/core/types.ts'
import { SESSION_COOKIE } from '../../src/web/auth/guard.ts'
import { hourlyTask } from '../helpers/tasks.ts'
import { createTestWeb } from './harness.ts'

const web = await createTestWeb()
web.app.listen({ hostname: '127.0.0.1', port: 0 })
const port = web.app.server?.port
const base = `ws://127.0.0.1:${port}`
afterAll(() => web.app.stop(true))
web.services.groups.create({ folder: 'main', name: 'Main' })
web.services.groups.create({ folder: 'other', name: 'Other' })

function open(path: string, headers: Record<string, string>) {
  const ws = new WebSocket(`${base}${path}`, { headers } as unknown as string[])
  const frames: string[] = []
  const waiters: Array<() => void> = []
  ws.addEventListener('message', (m) => {
    frames.push(String(m.data))
    for (const w of waiters.splice(0)) w()
  })
  const opened = new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve())
    ws.addEventListener('error', () => reject(new Error('ws error')))
  })
  /** Resolves with the first frame (from index `from`) that satisfies `pred`, or fails after 5 s. */
  async function next(pred: (f: string) => boolean, from = 0): Promise<string> {
    const deadline = Date.now() + 5000
    for (;;) {
      const hit = frames.slice(from).find(pred)
      if (hit) return hit
      if (Date.now() > deadline) throw new Error(`no matching frame; got ${frames.join(' | ')}`)
      await new Promise<void>((r) => {
        waiters.push(r)
        setTimeout(r, 200)
      })
    }
  }
  return { ws, frames, opened, next }
}

const session = { cookie: web.cookie, origin: `http://127.0.0.1:${port}` }
const run: Run = {
  id: 'r9',
  groupFolder: 'main',
  trigger: 'web',
  startedAt: 1,
  status: 'running',
  bytesOut: 0,
}

describe('/ws', () => {
  test('refuses the upgrade without a session or token', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/ws`, {
      headers: { upgrade: 'websocket', connection: 'Upgrade' },
    })
    expect(r.status).toBe(401)
  })

  test('refuses a foreign Origin even with a session', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/ws`, {
      headers: {
        upgrade: 'websocket',
        connection: 'Upgrade',
        cookie: web.cookie,
        origin: 'http://evil.example',
      },
    })
    expect(r.status).toBe(403)
  })

  test('streams every event as JSON, or one group after subscribing', async () => {
    const c = open('/ws', session)
    await c.opened
    await c.next((f) => f.includes('"hello"'))
    web.bus.publish({ type: 'run.started', group: 'other', run: { ...run, groupFolder: 'other' } })
    expect(JSON.parse(await c.next((f) => f.includes('run.started'))).group).toBe('other')
    c.ws.send(JSON.stringify({ subscribe: 'main' }))
    await c.next((f) => f.includes('"subscribed"'))
    const mark = c.frames.length
    web.bus.publish({ type: 'run.output', group: 'other', runId: 'x', text: 'not for me' })
    web.bus.publish({ type: 'run.output', group: 'main', runId: 'r9', text: 'for main' })
    const got = JSON.parse(await c.next((f) => f.includes('run.output'), mark))
    expect(got.text).toBe('for main')
    c.ws.close()
  })

  test('a bearer token opens the JSON socket; ?group= filters from the start', async () => {
    const c = open('/ws?group=main', { authorization: `Bearer ${web.apiToken}` })
    await c.opened
    await c.next((f) => f.includes('"hello"'))
    web.bus.publish({
      type: 'task.created',
      group: 'main',
      task: hourlyTask('t1', 'main', { chatJid: 'web:main', createdAt: 1 }),
    })
    expect(JSON.parse(await c.next((f) => f.includes('task.created'))).task.id).toBe('t1')
    c.ws.close()
  })
})

describe('/ws/ui', () => {
  test('pushes escaped htmx fragments for the group page', async () => {
    const c = open('/ws/ui?view=group&group=main', session)
    await c.opened
    await web.services.webChat.post({
      groupFolder: 'main',
      text: '<script>alert(1)</script>',
      senderName: 'admin',
    })
    const frame = JSON.parse(await c.next((f) => f.includes('#chat-log')))
    expect(frame.swap).toBe('beforeend')
    expect(frame.content).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(frame.content).not.toContain('<script>')
    web.bus.publish({ type: 'run.started', group: 'main', run })
    expect(JSON.parse(await c.next((f) => f.includes('#agent-status'))).content).toContain('working')
    c.ws.close()
  })

  test('tasks and overview pages get their tables re-rendered; result frames are not doubled', async () => {
    const tasks = open('/ws/ui?view=tasks', session)
    const overview = open('/ws/ui?view=overview', session)
    await Promise.all([tasks.opened, overview.opened])
    await Promise.all([
      tasks.next((f) => f.includes('#live-status')),
      overview.next((f) => f.includes('#live-status')),
    ])
    web.services.tasks.create({
      groupFolder: 'main',
      prompt: 'nightly <i>x</i>',
      scheduleType: 'interval',
      scheduleValue: '1h',
    })
    const body = JSON.parse(await tasks.next((f) => f.includes('#tasks-body')))
    expect(body.swap).toBe('innerHTML swapEmpty:true')
    expect(body.content).toContain('nightly &lt;i&gt;x&lt;/i&gt;')
    web.repos.runs.start({ id: 'r-live', groupFolder: 'main', trigger: 'web', startedAt: Date.now() })
    web.bus.publish({ type: 'run.started', group: 'main', run: { ...run, id: 'r-live' } })
    expect(JSON.parse(await overview.next((f) => f.includes('#active-runs'))).content).toContain('r-live')
    const mark = overview.frames.length
    web.bus.publish({
      type: 'run.activity',
      group: 'main',
      runId: 'r-live',
      frame: { type: 'result', text: 'once' },
    })
    web.bus.publish({ type: 'run.output', group: 'main', runId: 'r-live', text: 'once' })
    await overview.next((f) => f.includes('run.output'), mark)
    expect(overview.frames.slice(mark).filter((f) => f.includes('once'))).toHaveLength(1)
    tasks.ws.close()
    overview.ws.close()
  })

  test('requires a session too', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/ws/ui`, {
      headers: { upgrade: 'websocket', connection: 'Upgrade', cookie: `${SESSION_COOKIE}=nope` },
    })
    expect(r.status).toBe(401)
  })
})
