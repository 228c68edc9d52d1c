/**
 * The claude provider for real: the Claude Agent SDK and its native `claude` binary in a locally
 * built image, started by the host runner (createRunner) with --network host, talking to a fake
 * Messages API on 127.0.0.1. The key travels as configured: ANTHROPIC_API_KEY → stdin secrets.
 */
import { afterAll, beforeAll, describe, expect } from 'bun:test'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PLACEHOLDER_KEY } from '../../container/agent-runner/providers/claude/key-proxy.ts'
import type { Runtime } from '../../src/app.ts'
import { createRunner, createRuntime } from '../../src/app.ts'
import { loadConfig } from '../../src/config/load.ts'
import type { TurnHandle } from '../../src/core/runner/types.ts'
import type { Group } from '../../src/core/types.ts'
import type { AttachmentRef } from '../../src/protocol/attachments.ts'
import type { OutputFrame } from '../../src/protocol/container.ts'
import {
  createFakeAnthropic,
  FAKE_USAGE,
  type FakeAnthropic,
  lastToolResults,
  type MessagesRequestLike,
  toolResultText,
} from '../fakes/anthropic.ts'
import { agentSandbox } from '../helpers/agent-image.ts'
import { buildClaudeTestImage } from '../helpers/claude-image.ts'
import { runNgb } from '../helpers/cli.ts'
import { docker, dockerTest } from '../helpers/docker.ts'
import { PNG_1X1 } from '../helpers/files.ts'

/** A turn takes ~1 s; a loaded 2-core CI machine needs headroom (bun's default is 5 s). */
const TURN_TIMEOUT_MS = 30_000
const API_KEY = `sk-ant-test-${crypto.randomUUID()}`
const CHAT = 'cli:me'
let fake: FakeAnthropic | undefined
let rt: Runtime | undefined
let group: Group
let image = ''
// Registered before the sandbox so the runtime closes before the sandbox's temp dir is removed.
afterAll(async () => {
  await rt?.shutdown.run('test done')
  await fake?.stop()
})
const box = agentSandbox()
afterAll(() => box.cleanup())
const cliBox = agentSandbox()
afterAll(() => cliBox.cleanup())

const live = () => {
  if (!rt || !fake) throw new Error('runtime not started')
  return { rt, fake }
}

beforeAll(async () => {
  if (process.env.NGB_TEST_DOCKER !== '1') return
  image = (await buildClaudeTestImage()).tag
  fake = createFakeAnthropic()
  const env = {
    ...box.env,
    NGB_CONTAINER_IMAGE: image,
    NGB_AGENT_PROVIDER: 'claude',
    // The fake listens on the host's 127.0.0.1; the CLI is told to send nothing anywhere else.
    NGB_CONTAINER_NETWORK: 'host',
    NGB_CONTAINER_MEMORY: '1g',
    ANTHROPIC_API_KEY: API_KEY,
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_MODEL: 'claude-fake-model',
  }
  rt = createRuntime({ loaded: loadConfig({ env }), consoleStream: null })
  group = rt.repos.groups.create(
    { folder: 'main', name: 'Main', isMain: true, triggerMode: 'always' },
    Date.now(),
  )
}, 180_000)

interface TurnOptions {
  sessionId?: string
  group?: Group
  /** Keep the session open after the first result; `onFrame` then decides when to close. */
  open?: boolean
  onFrame?: (frame: OutputFrame, handle: TurnHandle) => void
  attachments?: AttachmentRef[]
}

/** One agent session through the host runner; returns its outcome, frames and the fake's requests. */
async function turn(prompt: string, opts: TurnOptions = {}) {
  const { rt, fake } = live()
  const before = fake.messageBodies().length
  const frames: OutputFrame[] = []
  let handle: TurnHandle | undefined
  handle = createRunner(rt).start({
    group: opts.group ?? group,
    prompt,
    chatJid: CHAT,
    trigger: 'cli',
    sessionId: opts.sessionId,
    attachments: opts.attachments,
    onFrame: (frame) => {
      frames.push(frame)
      if (handle) opts.onFrame?.(frame, handle)
    },
  })
  // _close up front: the provider ends the session after the first turn's result.
  if (!opts.open) handle.close()
  const outcome = await handle.done
  return { outcome, frames, handle, requests: fake.messageBodies().slice(before) }
}

const ipcDir = (sub: string) => join(live().rt.paths.ipc, 'main', sub)
const ipcFiles = (sub: 'messages' | 'tasks') =>
  readdirSync(ipcDir(sub))
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => join(ipcDir(sub), n))

const ofType = <T extends OutputFrame['type']>(frames: OutputFrame[], type: T) =>
  frames.filter((f): f is Extract<OutputFrame, { type: T }> => f.type === type)

function toolResults(requests: MessagesRequestLike[]): string[] {
  return requests.flatMap((r) => lastToolResults(r).map(toolResultText))
}

describe('claude provider in a container, through the host runner', () => {
  dockerTest(
    'a received image reaches the Messages API as an image block',
    async () => {
      const dir = join(live().rt.paths.groups, 'main', 'inbox', '2026-12-06')
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, 'abc.png'), PNG_1X1)
      const run = await turn('what is in the picture?', {
        attachments: [
          {
            kind: 'image',
            name: 'shot.png',
            mimeType: 'image/png',
            size: PNG_1X1.length,
            path: '/workspace/group/inbox/2026-12-06/abc.png',
          },
        ],
      })
      expect(run.outcome.status).toBe('ok')
      const sent = JSON.stringify(run.requests[0]?.messages)
      expect(sent).toContain('"type":"image"')
      expect(sent).toContain(Buffer.from(PNG_1X1).toString('base64'))
    },
    TURN_TIMEOUT_MS,
  )

  dockerTest(
    'a text turn delivers the fake text as a result frame',
    async () => {
      const run = await turn('hello there')
      expect(run.outcome).toMatchObject({ status: 'ok', exitCode: 0, results: ['fake: hello there'] })
      expect(ofType(run.frames, 'session')).toHaveLength(1)
      expect(ofType(run.frames, 'session')[0]?.resumed).toBe(false)
      expect(run.outcome.sessionId).toBe(ofType(run.frames, 'session')[0]?.sessionId)
      expect(run.requests).toHaveLength(1)
      expect(run.requests[0]?.model).toBe('claude-fake-model')
    },
    TURN_TIMEOUT_MS,
  )

  dockerTest(
    "a non-main group's turn carries its CLAUDE.md and the global one",
    async () => {
      const { rt } = live()
      const team = rt.repos.groups.create(
        { folder: 'team', name: 'Team', isMain: false, triggerMode: 'always' },
        Date.now(),
      )
      mkdirSync(join(rt.paths.groups, 'team'), { recursive: true })
      writeFileSync(join(rt.paths.groups, 'team', 'CLAUDE.md'), 'GROUP-MEMORY-MARK: the team likes tea\n')
      mkdirSync(rt.paths.global, { recursive: true })
      writeFileSync(join(rt.paths.global, 'CLAUDE.md'), 'GLOBAL-MEMORY-MARK: be brief\n')
      const before = live().fake.requests.length
      const run = await turn('hello team', { group: team })
      expect(run.outcome.results).toEqual(['fake: hello team'])
      const body = live().fake.requests[before]?.rawBody ?? ''
      expect(body).toContain('GROUP-MEMORY-MARK: the team likes tea')
      expect(body).toContain('GLOBAL-MEMORY-MARK: be brief')
    },
    TURN_TIMEOUT_MS,
  )

  dockerTest(
    'a Bash tool_use runs in the container and the final text arrives',
    async () => {
      const run = await turn('run bash: echo tool-ran-$((6*7)) in $(pwd)')
      expect(run.outcome.status).toBe('ok')
      expect(toolResults(run.requests)).toEqual(['tool-ran-42 in /workspace/group'])
      expect(ofType(run.frames, 'activity').map((f) => f.kind)).toEqual(['tool_use', 'tool_result'])
      expect(run.outcome.results).toEqual(['fake: tool result received'])
    },
    TURN_TIMEOUT_MS,
  )

  dockerTest(
    'a second run resumes the same session with the earlier messages',
    async () => {
      const first = await turn('remember the word pelican')
      const sessionId = first.outcome.sessionId
      expect(sessionId).toBeString()
      const second = await turn('which word?', { sessionId })
      expect(second.outcome.status).toBe('ok')
      expect(ofType(second.frames, 'session')).toEqual([
        { type: 'session', sessionId: sessionId ?? '', resumed: true },
      ])
      const seen = JSON.stringify(second.requests[0]?.messages)
      expect(seen).toContain('remember the word pelican')
      expect(seen).toContain('fake: remember the word pelican')
      expect(second.outcome.results).toEqual(['fake: which word?'])
    },
    TURN_TIMEOUT_MS,
  )

  dockerTest(
    'mcp__ngb__send_message writes the IPC message file',
    async () => {
      const before = ipcFiles('messages').length
      const run = await turn('send message: progress from the agent')
      expect(run.outcome.status).toBe('ok')
      const files = ipcFiles('messages').slice(before)
      expect(files.map((f) => JSON.parse(readFileSync(f, 'utf8')))).toEqual([
        { type: 'message', chatJid: CHAT, text: 'progress from the agent' },
      ])
      expect(toolResults(run.requests)).toEqual(['Message queued for delivery.'])
    },
    TURN_TIMEOUT_MS,
  )

  dockerTest(
    'a follow-up sent during a turn joins the live session; close ends it',
    async () => {
      const run = await turn('first message slow 1500', {
        // The fake holds its first answer 1.5 s, so the follow-up lands while that turn runs.
        open: true,
        onFrame: (frame, handle) => {
          if (frame.type === 'session') expect(handle.sendFollowUp('follow-up')).toBe(true)
          if (frame.type === 'result' && frame.text === 'fake: follow-up') handle.close()
        },
      })
      expect(run.outcome).toMatchObject({
        status: 'ok',
        results: ['fake: first message slow 1500', 'fake: follow-up'],
      })
      expect(ofType(run.frames, 'session')).toHaveLength(1)
      expect(run.requests).toHaveLength(2)
      expect(JSON.stringify(run.requests[1]?.messages)).toContain('fake: first message slow 1500')
    },
    TURN_TIMEOUT_MS,
  )

  dockerTest(
    'the API key reaches the fake in x-api-key only: not in bodies, inspect, argv, files or Bash env',
    async () => {
      let inspect = ''
      let ps = ''
      // Bash prints its env, then every environment it can read in /proc (the CLI's included).
      const scan = 'env; echo ENVIRON-SCAN; cat /proc/[0-9]*/environ 2>/dev/null | tr "\\0" "\\n"'
      const run = await turn(`slow 1500\nrun bash: ${scan}`, {
        onFrame: (frame, handle) => {
          if (frame.type !== 'session') return
          inspect = docker(['inspect', handle.containerName]).out
          ps = commandLines()
        },
      })
      expect(run.outcome.status).toBe('ok')
      const env = toolResults(run.requests)[0] ?? ''
      expect(env).toContain('ENVIRON-SCAN')
      // The CLI itself holds only the placeholder; the real key stays in the runner's key proxy.
      expect(env).toContain(`ANTHROPIC_API_KEY=${PLACEHOLDER_KEY}`)
      expect(env).not.toContain(API_KEY)
      expect(env.split('ENVIRON-SCAN')[0]).not.toContain('ANTHROPIC_API_KEY')
      expect(inspect).toContain(image)
      expect(inspect).not.toContain(API_KEY)
      expect(ps).toContain('docker run')
      expect(ps).not.toContain(API_KEY)
      const requests = live().fake.requests
      expect(requests.length).toBeGreaterThan(5)
      // The four quiet variables work: nothing but Messages calls (no /api/hello, telemetry, …).
      expect(new Set(requests.map((r) => `${r.method} ${r.path}${r.search}`))).toEqual(
        new Set(['POST /v1/messages?beta=true']),
      )
      for (const req of requests) {
        expect(req.headers['x-api-key']).toBe(API_KEY)
        const elsewhere = Object.entries(req.headers).filter(
          ([k, v]) => k !== 'x-api-key' && v.includes(API_KEY),
        )
        expect(elsewhere).toEqual([])
        expect(req.rawBody).not.toContain(API_KEY)
        expect(req.path + req.search).not.toContain(API_KEY)
      }
      // The data dir: database, run logs, the group's .claude state, IPC files.
      expect(filesContaining(box.dataDir, API_KEY)).toEqual([])
    },
    TURN_TIMEOUT_MS,
  )

  dockerTest(
    'schedule_task writes a task file; list_tasks reads the host snapshot',
    async () => {
      const before = ipcFiles('tasks').length
      const args = { prompt: 'daily digest', schedule_type: 'cron', schedule_value: '0 9 * * *' }
      const run = await turn(`call tool mcp__ngb__schedule_task ${JSON.stringify(args)}`)
      expect(run.outcome.status).toBe('ok')
      expect(
        ipcFiles('tasks')
          .slice(before)
          .map((f) => JSON.parse(readFileSync(f, 'utf8'))),
      ).toEqual([
        {
          type: 'schedule_task',
          prompt: 'daily digest',
          scheduleType: 'cron',
          scheduleValue: '0 9 * * *',
          targetJid: CHAT,
        },
      ])
      writeFileSync(
        join(live().rt.paths.ipc, 'main', 'current_tasks.json'),
        '[{"id":"task-7","prompt":"daily digest"}]',
      )
      const list = await turn('call tool mcp__ngb__list_tasks {}')
      expect(toolResults(list.requests)).toEqual(['[{"id":"task-7","prompt":"daily digest"}]'])
    },
    TURN_TIMEOUT_MS,
  )

  dockerTest(
    '/compact fires PreCompact, which archives the transcript in conversations/',
    async () => {
      const first = await turn('plan a trip to Oslo')
      const sessionId = first.outcome.sessionId
      const compact = await turn('/compact', { sessionId })
      expect(compact.outcome.status).toBe('ok')
      const activity = ofType(compact.frames, 'activity')
      expect(activity.filter((f) => f.kind !== 'usage')).toEqual([
        { type: 'activity', kind: 'compact', summary: 'compacted (manual)' },
      ])
      // /compact answers nothing, but its summary call cost tokens: a usage frame says so.
      expect(activity.filter((f) => f.kind === 'usage').map((f) => f.usage?.outputTokens)).toEqual([
        FAKE_USAGE.output_tokens,
      ])
      const dir = join(live().rt.paths.groups, 'main', 'conversations')
      const archived = readdirSync(dir).filter((n) => n.endsWith('-plan-a-trip-to-oslo.md'))
      expect(archived).toHaveLength(1)
      const md = readFileSync(join(dir, archived[0] ?? ''), 'utf8')
      expect(md).toContain(`Session: ${sessionId}`)
      expect(md).toContain('## User\n\nplan a trip to Oslo')
      expect(md).toContain('## Assistant\n\nfake: plan a trip to Oslo')
    },
    TURN_TIMEOUT_MS,
  )

  dockerTest(
    'errors are classified: a rejected key is auth, an unknown session is session_invalid',
    async () => {
      const auth = await turn('fail auth')
      expect(auth.outcome).toMatchObject({ status: 'error', exitCode: 1, errorKind: 'auth' })
      expect(ofType(auth.frames, 'error').map((f) => f.kind)).toEqual(['auth'])
      const unknown = await turn('hello', { sessionId: crypto.randomUUID() })
      expect(unknown.outcome).toMatchObject({ status: 'error', exitCode: 1, errorKind: 'session_invalid' })
      expect(ofType(unknown.frames, 'error').map((f) => f.kind)).toEqual(['session_invalid'])
    },
    TURN_TIMEOUT_MS,
  )
})

describe('ngb run with the claude provider', () => {
  dockerTest(
    'prints the answer and resumes the session on the next run; the key stays out of the data dir',
    async () => {
      const env = {
        ...cliBox.env,
        NGB_CONTAINER_IMAGE: image,
        NGB_AGENT_PROVIDER: 'claude',
        NGB_CONTAINER_NETWORK: 'host',
        ANTHROPIC_API_KEY: API_KEY,
        ANTHROPIC_BASE_URL: live().fake.url,
      }
      const first = await runNgb(['run', '-g', 'main', '-p', 'hello from ngb run'], { env })
      expect(first).toMatchObject({ code: 0, stdout: 'fake: hello from ngb run\n' })
      const before = live().fake.messageBodies().length
      const second = await runNgb(['run', '-g', 'main', '-p', 'and again'], { env })
      expect(second).toMatchObject({ code: 0, stdout: 'fake: and again\n' })
      const resumed = JSON.stringify(live().fake.messageBodies()[before]?.messages)
      expect(resumed).toContain('fake: hello from ngb run')
      expect(filesContaining(cliBox.dataDir, API_KEY)).toEqual([])
    },
    TURN_TIMEOUT_MS,
  )
})

/** Every process's argv on this machine, from /proc (no dependency on procps). */
function commandLines(): string {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ')
      } catch {
        return '' // the process ended while we listed
      }
    })
    .join('\n')
}

function filesContaining(dir: string, needle: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((rel) => join(dir, rel))
    .filter((path) => statSync(path).isFile() && readFileSync(path).includes(needle))
}

/** Sonnet 4.5 list prices, USD per million tokens: input, output, 5-minute cache write, cache read. */
const SONNET_45 = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 }
const USAGE_MODEL = 'claude-sonnet-4-5'

/** What `requests` Messages calls that each report FAKE_USAGE amount to. */
function expectedUsage(requests: number) {
  const u = FAKE_USAGE
  const perCall =
    (u.input_tokens * SONNET_45.input +
      u.output_tokens * SONNET_45.output +
      u.cache_creation_input_tokens * SONNET_45.cacheWrite +
      u.cache_read_input_tokens * SONNET_45.cacheRead) /
    1e6
  return {
    inputTokens: u.input_tokens * requests,
    outputTokens: u.output_tokens * requests,
    cacheWriteTokens: u.cache_creation_input_tokens * requests,
    cacheReadTokens: u.cache_read_input_tokens * requests,
    costUsd: perCall * requests,
  }
}

/**
 * The SDK's own figure: the same SDK and native CLI, run here on the host against the same fake for
 * one plain turn with the same model, report `total_cost_usd` for one call of FAKE_USAGE.
 */
async function sdkOwnCostOfOneCall(fakeUrl: string): Promise<number> {
  const { query } = await import('@anthropic-ai/claude-agent-sdk')
  const home = mkdtempSync(join(tmpdir(), 'ngb-sdk-cost-'))
  try {
    const q = query({
      prompt: 'what does one call cost?',
      options: {
        cwd: home,
        maxTurns: 1,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          CLAUDE_CONFIG_DIR: home,
          ANTHROPIC_API_KEY: API_KEY,
          ANTHROPIC_BASE_URL: fakeUrl,
          ANTHROPIC_MODEL: USAGE_MODEL,
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          DISABLE_TELEMETRY: '1',
          DISABLE_ERROR_REPORTING: '1',
          DISABLE_AUTOUPDATER: '1',
        },
      },
    })
    for await (const msg of q) if (msg.type === 'result') return msg.total_cost_usd
    throw new Error('the SDK ended without a result message')
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}

describe('usage: stored tokens and cost are the SDK figures, per run and summed per group', () => {
  const usageBox = agentSandbox()
  let usageRt: Runtime | undefined
  let costs: Group
  afterAll(async () => {
    await usageRt?.shutdown.run('test done')
    usageBox.cleanup()
  })
  const start = () => {
    if (!usageRt) {
      usageRt = createRuntime({
        loaded: loadConfig({
          env: {
            ...usageBox.env,
            NGB_CONTAINER_IMAGE: image,
            NGB_AGENT_PROVIDER: 'claude',
            NGB_CONTAINER_NETWORK: 'host',
            NGB_CONTAINER_MEMORY: '1g',
            ANTHROPIC_API_KEY: API_KEY,
            ANTHROPIC_BASE_URL: live().fake.url,
            ANTHROPIC_MODEL: USAGE_MODEL,
          },
        }),
        consoleStream: null,
      })
      costs = usageRt.repos.groups.create(
        { folder: 'costs', name: 'Costs', isMain: true, triggerMode: 'always' },
        Date.now(),
      )
    }
    return usageRt
  }
  /** One run in the `costs` group; returns its stored row and how many Messages calls it made. */
  async function costRun(prompt: string, opts: { sessionId?: string; followUp?: string } = {}) {
    const rt = start()
    const before = live().fake.messageBodies().length
    let handle: TurnHandle | undefined
    handle = createRunner(rt).start({
      group: costs,
      prompt,
      chatJid: 'cli:costs',
      trigger: 'cli',
      sessionId: opts.sessionId,
      onFrame: (frame) => {
        if (!handle || frame.type !== 'result') return
        if (opts.followUp && frame.text !== `fake: ${opts.followUp}`) handle.sendFollowUp(opts.followUp)
        else handle.close()
      },
    })
    const outcome = await handle.done
    const requests = live().fake.messageBodies().length - before
    const row = rt.repos.runs.get(outcome.runId)
    if (!row) throw new Error('run row missing')
    return { outcome, row, requests }
  }
  const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-9)

  dockerTest(
    'one call: the run row holds the fake usage and the SDK cost for the model',
    async () => {
      const own = await sdkOwnCostOfOneCall(live().fake.url)
      close(own, expectedUsage(1).costUsd)
      const run = await costRun('hello costs')
      expect(run.outcome.status).toBe('ok')
      expect(run.requests).toBe(1)
      const { costUsd, ...tokens } = expectedUsage(1)
      expect(run.row.usage).toMatchObject({ ...tokens, model: USAGE_MODEL, apiCalls: 1 })
      close(run.row.usage?.costUsd ?? -1, own)
      expect(run.row.usage?.apiMs).toBeGreaterThan(0)
      expect(run.outcome.usage).toEqual(run.row.usage)
      expect(run.row.chatJid).toBe('cli:costs')
      expect(run.row.sessionId).toBe(run.outcome.sessionId)
    },
    TURN_TIMEOUT_MS * 2,
  )

  dockerTest(
    'a tool turn (two calls), a resumed session and a follow-up each count their own calls only',
    async () => {
      const tool = await costRun('run bash: echo priced')
      expect(tool.requests).toBe(2)
      expect(tool.row.usage).toMatchObject({ ...omitCost(expectedUsage(2)), apiCalls: 2 })
      close(tool.row.usage?.costUsd ?? -1, expectedUsage(2).costUsd)
      // The SDK reports a resumed session's running total; the run stores the new turn alone.
      const resumed = await costRun('and now?', { sessionId: tool.outcome.sessionId })
      expect(resumed.outcome.sessionId).toBe(tool.outcome.sessionId)
      expect(resumed.requests).toBe(1)
      expect(resumed.row.usage).toMatchObject(omitCost(expectedUsage(1)))
      close(resumed.row.usage?.costUsd ?? -1, expectedUsage(1).costUsd)
      // Two turns in one container: their figures add up, with no turn counted twice.
      const twoTurns = await costRun('first turn', { followUp: 'second turn' })
      expect(twoTurns.outcome.results).toEqual(['fake: first turn', 'fake: second turn'])
      expect(twoTurns.requests).toBe(2)
      expect(twoTurns.row.usage).toMatchObject(omitCost(expectedUsage(2)))
      close(twoTurns.row.usage?.costUsd ?? -1, expectedUsage(2).costUsd)
    },
    TURN_TIMEOUT_MS * 3,
  )

  dockerTest(
    'the group sum equals its run rows and the calls the fake served',
    async () => {
      const rt = start()
      const rows = rt.repos.runs.list({ groupFolder: 'costs' })
      const calls = live()
        .fake.messageBodies()
        .filter((b) => b.model === USAGE_MODEL).length
      const [sum] = rt.repos.usage.by('group', { groupFolder: 'costs' })
      expect(sum?.key).toBe('costs')
      expect(sum?.runs).toBe(rows.length)
      // Every call of this model came from the group's runs, but one: the host SDK's own-cost check.
      expect(sum).toMatchObject(omitCost(expectedUsage(calls - 1)))
      close(sum?.costUsd ?? -1, expectedUsage(calls - 1).costUsd)
      close(
        sum?.costUsd ?? -1,
        rows.reduce((n, r) => n + (r.usage?.costUsd ?? 0), 0),
      )
    },
    TURN_TIMEOUT_MS,
  )
})

function omitCost<T extends { costUsd: number }>(u: T): Omit<T, 'costUsd'> {
  const { costUsd: _, ...rest } = u
  return rest
}
