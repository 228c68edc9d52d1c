import { afterAll, describe, expect, test } from 'bun:test'
import type { ServerWebSocket } from 'bun'
import { connectRemoteRunner } from '../../../src/cli/session/remote-runner.ts'
import type { Group } from '../../../src/core/types.ts'
import type { OutputFrame } from '../../../src/protocol/container.ts'
import { createManualClock } from '../../fakes/manual-clock.ts'
import { settle, waitFor } from '../../helpers/wait.ts'

const group: Group = {
  folder: 'fam',
  name: 'fam',
  isMain: false,
  triggerMode: 'always',
  settings: {},
  createdAt: 0,
}

/** The server side: the web chat POST and the /ws event stream, as `ngb serve` exposes them. */
const posts: Array<{ auth: string | null; text: string }> = []
const sockets = new Set<ServerWebSocket<unknown>>()
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  async fetch(req, srv) {
    const url = new URL(req.url)
    if (url.pathname === '/ws') {
      if (req.headers.get('authorization') !== 'Bearer tok' || url.searchParams.get('group') !== 'fam')
        return new Response('no', { status: 401 })
      return srv.upgrade(req) ? undefined : new Response('upgrade failed', { status: 400 })
    }
    if (req.method === 'POST' && url.pathname === '/api/groups/fam/messages') {
      const body = (await req.json()) as { text: string }
      posts.push({ auth: req.headers.get('authorization'), text: body.text })
      return Response.json({ ok: true }, { status: 202 })
    }
    return Response.json({ error: 'not_found', message: 'no such route' }, { status: 404 })
  },
  websocket: {
    open(ws) {
      sockets.add(ws)
      ws.send(JSON.stringify({ type: 'hello', group: 'fam' }))
    },
    message() {},
    close(ws) {
      sockets.delete(ws)
    },
  },
})
afterAll(() => server.stop(true))
const push = (event: unknown) => {
  for (const ws of sockets) ws.send(JSON.stringify(event))
}

describe('connectRemoteRunner (ngb session through ngb serve)', () => {
  test('posts each line as the group web chat and turns the chat replies and activity into frames', async () => {
    const clock = createManualClock(1_000_000)
    const runner = await connectRemoteRunner({
      url: `http://127.0.0.1:${server.port}`,
      token: 'tok',
      folder: 'fam',
      clock,
    })
    const frames: OutputFrame[] = []
    const h = runner.start({
      group,
      prompt: 'hello',
      chatJid: 'cli:fam',
      trigger: 'cli',
      onFrame: (f) => frames.push(f),
    })
    await waitFor(() => posts.length === 1, 'the post')
    expect(posts[0]).toEqual({ auth: 'Bearer tok', text: 'hello' })
    push({
      type: 'run.activity',
      group: 'fam',
      runId: 'r1',
      frame: { type: 'activity', kind: 'tool_use', summary: 'Bash ls' },
    })
    const usage = {
      inputTokens: 100,
      outputTokens: 20,
      cacheWriteTokens: 10,
      cacheReadTokens: 50,
      costUsd: 0.01,
      apiCalls: 1,
      apiMs: 5,
    }
    // The result itself is shown from message.out; its usage comes along for /usage.
    push({
      type: 'run.activity',
      group: 'fam',
      runId: 'r1',
      frame: { type: 'result', text: 'hi back', usage },
    })
    push({ type: 'message.out', group: 'fam', message: { chatJid: 'telegram:1', text: 'other chat' } })
    push({ type: 'message.out', group: 'fam', message: { chatJid: 'web:fam', text: 'hi back' } })
    await waitFor(() => frames.length === 3, 'three frames')
    expect(frames).toEqual([
      { type: 'activity', kind: 'tool_use', summary: 'Bash ls' },
      { type: 'activity', kind: 'usage', summary: 'usage of a turn', usage },
      { type: 'result', text: 'hi back' },
    ])

    // A graceful close waits for the answer to what was sent last.
    expect(h.sendFollowUp('one more')).toBe(true)
    await waitFor(() => posts.length === 2, 'the follow-up')
    h.close()
    let settled = false
    void h.done.then(() => {
      settled = true
    })
    // However long the answer takes, the close waits for it.
    clock.advance(60_000)
    await settle()
    expect(settled).toBe(false)
    push({ type: 'message.out', group: 'fam', message: { chatJid: 'web:fam', text: 'last answer, part 1' } })
    push({ type: 'message.out', group: 'fam', message: { chatJid: 'web:fam', text: 'part 2' } })
    await waitFor(
      () => frames.some((f) => f.type === 'result' && f.text === 'part 2'),
      'both parts of the last answer',
    )
    // Then a quiet moment (quietMs, 1000 by default) ends the turn.
    clock.advance(1000)
    expect((await h.done).status).toBe('ok')
    expect(frames.slice(-2)).toEqual([
      { type: 'result', text: 'last answer, part 1' },
      { type: 'result', text: 'part 2' },
    ])
    expect(h.sendFollowUp('too late')).toBe(false)
    runner.close()
  })

  test('a bad token fails to connect with a clear error', async () => {
    await expect(
      connectRemoteRunner({ url: `http://127.0.0.1:${server.port}`, token: 'wrong', folder: 'fam' }),
    ).rejects.toThrow('cannot open the event stream of ngb serve')
  })
})
