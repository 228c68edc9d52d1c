import { describe, expect, test } from 'bun:test'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { lastMessage } from '../../../../container/agent-runner/providers/mock.ts'
import { createFrameParser } from '../../../../src/core/runner/frames.ts'
import type { ContainerInput, OutputFrame } from '../../../../src/protocol/container.ts'
import { atomicWriteJson } from '../../../../src/protocol/ipc-files.ts'
import { REPO_ROOT } from '../../../helpers/cli.ts'
import { tempDir } from '../../../helpers/temp.ts'

// The agent-runner's main.ts on the host (NGB_AGENT_ROOT prefixes its container paths): the same
// code the image runs, without Docker, so every directive is covered fast.
const MAIN = join(REPO_ROOT, 'container', 'agent-runner', 'main.ts')

interface AgentRun {
  frames: OutputFrame[]
  code: number
  stdout: string
}

function input(prompt: string, extra: Partial<ContainerInput> = {}): ContainerInput {
  return {
    prompt,
    group: 'main',
    chatJid: 'cli:main',
    isMain: true,
    assistantName: 'Andy',
    provider: 'mock',
    secrets: {},
    ...extra,
  }
}

/**
 * Runs main.ts. `early` follow-ups are written before it starts (they join the first prompt);
 * `followUps` are written once the session frame shows the agent is running, then `_close`.
 */
async function runAgent(
  root: string,
  stdin: string,
  opts: { followUps?: string[]; early?: string[] } = {},
): Promise<AgentRun> {
  const inputDir = join(root, 'workspace', 'ipc', 'input')
  mkdirSync(inputDir, { recursive: true })
  let seq = 0
  // Atomically, as the host does (protocol/ipc-files.ts): the agent polls this directory and skips a
  // file it catches half-written, which under load dropped a follow-up.
  const write = (text: string) =>
    atomicWriteJson(inputDir, { type: 'message', text }, `${String(seq++).padStart(13, '0')}-x.json`)
  for (const text of opts.early ?? []) write(text)
  const proc = Bun.spawn([process.execPath, MAIN], {
    env: { ...process.env, NGB_AGENT_ROOT: root },
    stdin: new TextEncoder().encode(stdin),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
  const frames: OutputFrame[] = []
  let started = false
  const parser = createFrameParser({
    maxBytes: 1 << 20,
    onFrame: (f) => {
      frames.push(f)
      if (!started) {
        started = true
        for (const text of opts.followUps ?? []) write(text)
        writeFileSync(join(inputDir, '_close'), '')
      }
    },
  })
  let stdout = ''
  const decoder = new TextDecoder()
  for await (const chunk of proc.stdout) {
    stdout += decoder.decode(chunk, { stream: true })
    parser.push(chunk)
  }
  parser.end()
  const code = await proc.exited
  clearTimeout(timer)
  return { frames, code, stdout }
}

const results = (r: AgentRun) => r.frames.flatMap((f) => (f.type === 'result' ? [f.text] : []))

describe('mock provider', () => {
  test('answers the last <message>, unescaped', () => {
    const prompt =
      '<messages><message sender="a" time="1">first</message><message sender="b" time="2">a &lt;b&gt; &amp; &quot;c&quot;</message></messages>'
    expect(lastMessage(prompt)).toBe('a <b> & "c"')
    expect(lastMessage('  plain prompt ')).toBe('plain prompt')
  })

  test('echoes, handles follow-ups in order, and exits 0 on _close', async () => {
    const r = await runAgent(tempDir(), JSON.stringify(input('hello')), { followUps: ['one', 'two'] })
    expect(r.code).toBe(0)
    expect(r.frames[0]?.type).toBe('session')
    expect(results(r)).toEqual(['mock: hello', 'mock: one', 'mock: two'])
  })

  test('/session is resumed only when the id exists in the state dir', async () => {
    const root = tempDir()
    const first = await runAgent(root, JSON.stringify(input('/session')))
    const session = first.frames.find((f) => f.type === 'session')
    const id = session?.type === 'session' ? session.sessionId : ''
    expect(results(first)).toEqual([`session ${id} resumed=false`])
    const second = await runAgent(root, JSON.stringify(input('/session', { sessionId: id })))
    expect(results(second)).toEqual([`session ${id} resumed=true`])
    const unknown = await runAgent(root, JSON.stringify(input('/session', { sessionId: 'not-there' })))
    expect(results(unknown)).toEqual(['session not-there resumed=false'])
  })

  test('/multi, /sleep chaining and /activity', async () => {
    const r = await runAgent(tempDir(), JSON.stringify(input('/multi 3')), {
      followUps: ['/sleep 10 /multi 2', '/activity reading files'],
    })
    expect(results(r)).toEqual([
      'part 1/3',
      'part 2/3',
      'part 3/3',
      'part 1/2',
      'part 2/2',
      'mock: reading files',
    ])
    expect(r.frames).toContainEqual({ type: 'activity', kind: 'tool_use', summary: 'reading files' })
  })

  test('/secret reports presence and never the value', async () => {
    const secret = 'sk-ant-value-must-not-appear'
    const present = await runAgent(
      tempDir(),
      JSON.stringify(input('/secret', { secrets: { ANTHROPIC_API_KEY: secret } })),
    )
    expect(results(present)).toEqual(['secret present'])
    expect(present.stdout).not.toContain(secret)
    const absent = await runAgent(tempDir(), JSON.stringify(input('/secret')))
    expect(results(absent)).toEqual(['secret absent'])
  })

  test('/send and /task write valid IPC action files', async () => {
    const root = tempDir()
    const r = await runAgent(root, JSON.stringify(input('/send slack:channel:C1 hi all')), {
      followUps: ['/task interval 3600000 check the news', '/task once 2030-01-01T09:00:00Z new year'],
    })
    expect(r.code).toBe(0)
    const ipc = join(root, 'workspace', 'ipc')
    const read = (d: string) =>
      readdirSync(join(ipc, d))
        .sort()
        .map((f) => JSON.parse(readFileSync(join(ipc, d, f), 'utf8')))
    expect(read('messages')).toEqual([{ type: 'message', chatJid: 'slack:channel:C1', text: 'hi all' }])
    expect(read('tasks')).toEqual([
      {
        type: 'schedule_task',
        prompt: 'check the news',
        scheduleType: 'interval',
        scheduleValue: '3600000',
        targetJid: 'cli:main',
      },
      {
        type: 'schedule_task',
        prompt: 'new year',
        scheduleType: 'once',
        scheduleValue: '2030-01-01T09:00:00Z',
        targetJid: 'cli:main',
      },
    ])
  })

  test('/fail emits an error frame and exits 1', async () => {
    const r = await runAgent(tempDir(), JSON.stringify(input('/fail on purpose')))
    expect(r.code).toBe(1)
    expect(r.frames).toContainEqual({ type: 'error', kind: 'agent', message: 'mock failure: on purpose' })
  })

  test('bad stdin is an input error frame and exit 1', async () => {
    const r = await runAgent(tempDir(), '{"prompt": 1}')
    expect(r.code).toBe(1)
    expect(r.frames[0]).toMatchObject({ type: 'error', kind: 'input' })
  })

  test('follow-ups already waiting at start join the first prompt', async () => {
    const r = await runAgent(tempDir(), JSON.stringify(input('hello')), {
      early: ['again'],
      followUps: ['later'],
    })
    expect(results(r)).toEqual(['mock: hello\nagain', 'mock: later'])
  })

  test('a malformed follow-up file is skipped, not fatal', async () => {
    const root = tempDir()
    const inputDir = join(root, 'workspace', 'ipc', 'input')
    mkdirSync(inputDir, { recursive: true })
    writeFileSync(join(inputDir, '0000000000000-a.json'), '{broken')
    const r = await runAgent(root, JSON.stringify(input('x')))
    expect(results(r)).toEqual(['mock: x'])
    expect(r.code).toBe(0)
  })
})

describe('mock provider: interrupt', () => {
  test('_interrupt ends a /sleep turn at once; the same process answers the next message', async () => {
    const root = tempDir()
    const inputDir = join(root, 'workspace', 'ipc', 'input')
    mkdirSync(inputDir, { recursive: true })
    // A sentinel left from before the turn must not cut the turn short.
    writeFileSync(join(inputDir, '_interrupt'), '')
    const proc = Bun.spawn([process.execPath, MAIN], {
      env: { ...process.env, NGB_AGENT_ROOT: root },
      stdin: new TextEncoder().encode(JSON.stringify(input('/sleep 300 /multi 2'))),
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const killer = setTimeout(() => proc.kill('SIGKILL'), 20_000)
    const frames: OutputFrame[] = []
    const stamps: number[] = []
    let step = 0
    let interruptedAt = 0
    const parser = createFrameParser({
      maxBytes: 1 << 20,
      onFrame: (f) => {
        frames.push(f)
        stamps.push(performance.now())
        if (f.type === 'result' && f.text === 'part 2/2' && step === 0) {
          step = 1
          writeFileSync(
            join(inputDir, '0000000000001-a.json'),
            JSON.stringify({ type: 'message', text: '/sleep 60000' }),
          )
          setTimeout(() => {
            interruptedAt = performance.now()
            writeFileSync(join(inputDir, '_interrupt'), '')
          }, 400)
        } else if (f.type === 'activity' && f.kind === 'interrupted' && step === 1) {
          step = 2
          writeFileSync(
            join(inputDir, '0000000000002-b.json'),
            JSON.stringify({ type: 'message', text: 'after' }),
          )
        } else if (f.type === 'result' && f.text === 'mock: after') {
          writeFileSync(join(inputDir, '_close'), '')
        }
      },
    })
    for await (const chunk of proc.stdout) parser.push(chunk)
    parser.end()
    const code = await proc.exited
    clearTimeout(killer)
    expect(code).toBe(0)
    expect(results({ frames, code, stdout: '' })).toEqual(['part 1/2', 'part 2/2', 'mock: after'])
    const interrupted = frames.findIndex((f) => f.type === 'activity' && f.kind === 'interrupted')
    expect(interrupted).toBeGreaterThan(0)
    // Noticed within the poll interval, not after the 60 s sleep.
    expect((stamps[interrupted] ?? Number.POSITIVE_INFINITY) - interruptedAt).toBeLessThan(2000)
  })
})
