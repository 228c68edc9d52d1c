import { afterAll, describe, expect, test } from 'bun:test'
import { createHttpAdmin, MissingApiError } from '../../../src/cli/admin/http.ts'
import { NgbError } from '../../../src/core/errors.ts'

interface Seen {
  method: string
  path: string
  auth: string | null
  body: unknown
}

const group = {
  folder: 'main',
  name: 'main',
  isMain: true,
  triggerMode: 'always',
  settings: {},
  createdAt: 1,
}
const task = {
  id: 't1',
  groupFolder: 'main',
  chatJid: 'web:main',
  prompt: 'p',
  scheduleType: 'cron',
  scheduleValue: '0 9 * * *',
  contextMode: 'isolated',
  status: 'paused',
  nextRunAt: null,
  createdAt: 1,
}

/** A stand-in for the server's API: answers by route and records what the client sent. */
const seen: Seen[] = []
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  async fetch(req) {
    const url = new URL(req.url)
    const path = url.pathname + url.search
    const text = await req.text()
    seen.push({
      method: req.method,
      path,
      auth: req.headers.get('authorization'),
      body: text ? JSON.parse(text) : undefined,
    })
    const key = `${req.method} ${url.pathname}`
    switch (key) {
      case 'GET /api/groups':
        return Response.json([group])
      case 'GET /api/groups/main/bindings':
        return Response.json([{ chatJid: 'telegram:1' }])
      case 'POST /api/groups':
        return Response.json(
          { error: 'invalid_input', message: 'the folder name "ls" is reserved; pick another' },
          { status: 422 },
        )
      case 'DELETE /api/chats/telegram%3A1/binding':
        return new Response(null, { status: 204 })
      case 'DELETE /api/chats/telegram%3A2/binding':
        return Response.json({ error: 'not_found', message: 'not bound' }, { status: 404 })
      case 'POST /api/tasks/t1/pause':
        return Response.json(task)
      case 'GET /api/tasks/t1':
        return Response.json(task)
      case 'DELETE /api/tasks/t1':
        return new Response(null, { status: 204 })
      case 'POST /api/groups/main/tokens':
        return Response.json(
          { token: 'ngb-0123456789ab', groupFolder: 'main', createdAt: 1, expiresAt: 2, usedAt: null },
          { status: 201 },
        )
      case 'GET /api/chats':
        return Response.json({ unexpected: 'shape' })
      case 'POST /api/sessions/main/reset':
        return Response.json({ reset: true })
      case 'GET /api/tasks':
        if (url.search === '?group=proxy')
          return new Response('<html><body>502 Bad Gateway from the proxy</body></html>', { status: 502 })
        return new Response('NOT_FOUND', { status: 404 })
      default:
        return new Response('NOT_FOUND', { status: 404 })
    }
  },
})
afterAll(() => server.stop(true))

const admin = createHttpAdmin({ url: `http://127.0.0.1:${server.port}`, token: 'ngb_secret' })

describe('createHttpAdmin', () => {
  test('lists groups with their bindings, sending the bearer token', async () => {
    seen.length = 0
    expect(await admin.listGroups()).toEqual([{ ...group, triggerMode: 'always', chats: ['telegram:1'] }])
    expect(seen.map((s) => [s.method, s.path, s.auth])).toEqual([
      ['GET', '/api/groups', 'Bearer ngb_secret'],
      ['GET', '/api/groups/main/bindings', 'Bearer ngb_secret'],
    ])
  })

  test('maps the error body back to the same error code (so exit codes match the database path)', async () => {
    const error = await admin.addGroup({ folder: 'ls' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NgbError)
    expect(error).toMatchObject({
      code: 'invalid_input',
      message: 'the folder name "ls" is reserved; pick another',
    })
    // The name default is the core's rule (docs/cli.md), so the CLI no longer fills it in.
    expect(seen.at(-1)?.body).toEqual({ folder: 'ls' })
  })

  test('a route the server lacks is a MissingApiError; a malformed answer is rejected', async () => {
    await expect(admin.listTasks({})).rejects.toBeInstanceOf(MissingApiError)
    await expect(admin.listChats({ unboundOnly: true })).rejects.toThrow()
    expect(seen.at(-1)?.path).toBe('/api/chats?unbound=true')
  })

  test('unbind: 204 is true, 404 with an error body is false; nulls become absent fields', async () => {
    expect(await admin.unbind('telegram:1')).toBe(true)
    expect(await admin.unbind('telegram:2')).toBe(false)
    const paused = await admin.pauseTask('t1')
    expect(paused.status).toBe('paused')
    expect('nextRunAt' in paused).toBe(false)
    expect((await admin.removeTask('t1')).id).toBe('t1')
    expect(seen.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/tasks/t1' })
    expect((await admin.createBindToken('main')).token).toBe('ngb-0123456789ab')
  })

  test('an unreachable server is a one-line error naming it', async () => {
    const dead = createHttpAdmin({ url: 'http://127.0.0.1:9', token: 'x', timeoutMs: 2000 })
    await expect(dead.listGroups()).rejects.toThrow('cannot reach ngb serve at http://127.0.0.1:9')
  })

  test('resetSession posts to the sessions API and returns whether a session was stored', async () => {
    expect(await admin.resetSession('main')).toBe(true)
    expect(seen.at(-1)).toMatchObject({ method: 'POST', path: '/api/sessions/main/reset' })
  })

  test('a non-JSON error reply names its status and a snippet, not a database failure', async () => {
    const error = await admin.listTasks({ groupFolder: 'proxy' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NgbError)
    expect((error as NgbError).code).not.toBe('db_failed')
    expect((error as Error).message).toContain('502')
    expect((error as Error).message).toContain('502 Bad Gateway from the proxy')
  })
})
