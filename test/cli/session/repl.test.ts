import { describe, expect, test } from 'bun:test'
import { PassThrough } from 'node:stream'
import { runSessionRepl } from '../../../src/cli/session/repl.ts'
import type { Group } from '../../../src/core/types.ts'
import type { FakeTurn } from '../../fakes/fake-runner.ts'
import { createFakeRunner } from '../../fakes/fake-runner.ts'
import { waitFor } from '../../helpers/wait.ts'

const group: Group = {
  folder: 'main',
  name: 'main',
  isMain: true,
  triggerMode: 'always',
  settings: {},
  createdAt: 0,
}

function start(resume?: string) {
  const input = new PassThrough()
  const output = new PassThrough()
  let text = ''
  output.on('data', (d: Buffer) => {
    text += d.toString()
  })
  // Like the mock agent: `mock: <text>` for each message, `/sleep …` never answers (until killed).
  const answer = (turn: FakeTurn, text: string) => {
    if (!text.startsWith('/sleep')) turn.result(`mock: ${text}`)
  }
  const runner = createFakeRunner({
    onStart: (turn) => {
      turn.emit({ type: 'session', sessionId: turn.req.sessionId ?? `session-${runner.turns.length}` })
      answer(turn, turn.req.prompt)
    },
    onFollowUp: answer,
  })
  const sessions: string[] = []
  const result = runSessionRepl({
    group,
    runner,
    resume,
    input,
    output,
    tty: false,
    color: false,
    onSession: (id) => sessions.push(id),
  })
  return {
    input,
    runner,
    sessions,
    result,
    out: () => text,
    type: (line: string) => input.write(`${line}\n`),
  }
}

describe('runSessionRepl (piped, with a fake runner)', () => {
  test('the first line starts one container, later lines are follow-ups into it', async () => {
    const s = start()
    s.type('hello')
    await waitFor(() => s.out().includes('mock: hello'), 'first answer')
    s.type('again')
    await waitFor(() => s.out().includes('mock: again'), 'second answer')
    expect(s.runner.turns).toHaveLength(1)
    expect(s.runner.turns[0]?.req).toMatchObject({ prompt: 'hello', chatJid: 'cli:main', trigger: 'cli' })
    expect(s.runner.turns[0]?.followUps).toEqual(['again'])
    expect(s.sessions).toEqual(['session-1'])
    s.type('/exit')
    expect(await s.result).toMatchObject({ code: 0, sessionId: 'session-1' })
    expect(s.runner.turns[0]?.closed).toBe(true)
  })

  test('when the container has ended, the next line starts a new one resuming the session', async () => {
    const s = start()
    s.type('one')
    await waitFor(() => s.out().includes('mock: one'), 'answer')
    s.runner.turns[0]?.finish({ status: 'timeout', error: 'idle' })
    await waitFor(() => s.out().includes('the agent stopped (timeout): idle'), 'the stop notice')
    s.type('two')
    await waitFor(() => s.out().includes('mock: two'), 'answer after restart')
    expect(s.runner.turns.map((t) => t.req.sessionId)).toEqual([undefined, 'session-1'])
    s.input.end()
    expect((await s.result).code).toBe(0)
  })

  test('--resume passes the session; end of input lets the agent finish; /exit while working kills', async () => {
    const piped = start('abc-123')
    piped.type('hi')
    piped.input.end()
    const r = await piped.result
    expect(piped.runner.turns[0]?.req.sessionId).toBe('abc-123')
    expect(piped.runner.turns[0]?.closed).toBe(true)
    expect(piped.runner.turns[0]?.killed).toBe(false)
    expect(piped.out()).toContain('resuming session abc-123')
    expect(r.sessionId).toBe('abc-123')

    const busy = start()
    busy.type('/sleep 60000')
    await waitFor(() => busy.runner.turns.length === 1, 'the turn')
    busy.type('/status')
    await waitFor(() => busy.out().includes('agent:     working'), 'status')
    expect(busy.out()).toContain('container: fake-main-1')
    busy.type('/exit')
    await busy.result
    expect(busy.runner.turns[0]?.killed).toBe(true)
  })

  test('a runner that refuses to start is reported and the session stays usable', async () => {
    const s = start()
    const real = s.runner.start.bind(s.runner)
    let refuse = true
    s.runner.start = (req) => {
      if (refuse) {
        refuse = false
        throw new Error('mount /etc is not allowed')
      }
      return real(req)
    }
    s.type('first')
    await waitFor(() => s.out().includes('could not start the agent: mount /etc is not allowed'), 'the error')
    s.type('second')
    await waitFor(() => s.out().includes('mock: second'), 'the next turn')
    s.input.end()
    expect((await s.result).code).toBe(0)
  })
})

describe('/usage in ngb session', () => {
  test('prints the last turn and the session total, as the agent reported them', async () => {
    const s = start()
    s.type('/usage')
    await waitFor(() => s.out().includes('(no usage reported yet in this session)'), 'the empty note')
    const usage = {
      inputTokens: 1200,
      outputTokens: 80,
      cacheWriteTokens: 300,
      cacheReadTokens: 2000,
      costUsd: 0.006525,
      model: 'claude-sonnet-4-5',
      apiCalls: 1,
      apiMs: 400,
    }
    s.type('hello')
    await waitFor(() => s.runner.turns.length === 1 && s.out().includes('mock: hello'), 'the answer')
    const turn = s.runner.turns[0]
    turn?.emit({ type: 'result', text: 'priced one', usage })
    turn?.emit({ type: 'activity', kind: 'usage', summary: 'turn ended without an answer', usage })
    await waitFor(() => s.out().includes('priced one'), 'the priced answer')
    s.type('/usage')
    await waitFor(() => s.out().includes('session:'), 'the usage lines')
    // A usage frame is accounting only: nothing printed for it.
    expect(s.out()).not.toContain('turn ended without an answer')
    expect(s.out()).toContain(
      'last turn: 1,200 in / 80 out / 300 cache write / 2,000 cache read tokens, $0.0065 (claude-sonnet-4-5)',
    )
    expect(s.out()).toContain(
      'session:   2,400 in / 160 out / 600 cache write / 4,000 cache read tokens, $0.01 (claude-sonnet-4-5)',
    )
    s.type('/exit')
    await s.result
  })
})
