import { describe, expect, test } from 'bun:test'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dataPaths } from '../../../src/config/paths.ts'
import type { RunnerConfig } from '../../../src/core/runner/run-turn.ts'
import { createAgentRunner } from '../../../src/core/runner/run-turn.ts'
import type { Group } from '../../../src/core/types.ts'
import { createMasker } from '../../../src/util/mask.ts'
import { createFakeRuntime } from '../../fakes/fake-runtime.ts'
import { createManualClock } from '../../fakes/manual-clock.ts'
import { silentLog } from '../../fakes/silent-log.ts'
import { testDb } from '../../helpers/db.ts'
import { tempDir } from '../../helpers/temp.ts'
import { waitFor } from '../../helpers/wait.ts'

const KEY = 'sk-ant-api03-unit-test-secret'
const config: RunnerConfig = {
  idleTimeoutMs: 10_000,
  hardTimeoutMs: 60_000,
  maxOutputBytes: 4096,
  containerImage: 'ngb-agent:unit',
  containerNetwork: 'none',
  containerMemory: '1g',
  containerCpus: '1',
  containerPidsLimit: 128,
  agentProvider: 'mock',
  assistantName: 'Andy',
  anthropicApiKey: KEY,
  claudeOauthToken: undefined,
  anthropicBaseUrl: undefined,
  anthropicModel: undefined,
}

function setup(overrides: Partial<RunnerConfig> = {}) {
  const paths = dataPaths(tempDir('ngb-runturn-'))
  const { repos } = testDb()
  const runtime = createFakeRuntime()
  const clock = createManualClock(1_000_000)
  const runner = createAgentRunner({
    runtime,
    config: { ...config, ...overrides },
    paths,
    installId: 'inst1',
    runs: repos.runs,
    clock,
    log: silentLog(),
    masker: createMasker([KEY]),
    allowlist: () => undefined,
    protectedPaths: [paths.dataDir],
    home: paths.dataDir,
    hostUser: { uid: 1234, gid: 1234 },
  })
  const group: Group = {
    folder: 'team',
    name: 'Team',
    isMain: false,
    triggerMode: 'always',
    settings: {},
    createdAt: 1,
  }
  return { paths, repos, runtime, clock, runner, group }
}

const req = (group: Group) => ({ group, prompt: 'hi', chatJid: 'cli:team', trigger: 'cli' as const })
const inputDir = (paths: ReturnType<typeof dataPaths>) => join(paths.ipc, 'team', 'input')

describe('createAgentRunner (fake runtime, manual clock)', () => {
  test('sends the input on stdin only, with the group settings over the config', async () => {
    const { runtime, runner, group } = setup()
    const custom = { ...group, settings: { network: 'host' as const, memory: '3g', image: 'img:group' } }
    const handle = runner.start({ ...req(custom), image: 'img:turn', sessionId: 's-1' })
    const c = runtime.containers[0]
    expect(c?.stdinClosed()).toBe(true)
    const input = JSON.parse(c?.stdin() ?? '')
    expect(input).toMatchObject({
      prompt: 'hi',
      sessionId: 's-1',
      group: 'team',
      isMain: false,
      provider: 'mock',
    })
    expect(input.secrets).toEqual({ ANTHROPIC_API_KEY: KEY })
    expect(c?.spec).toMatchObject({ image: 'img:turn', network: 'host', memory: '3g', user: '1234:1234' })
    expect(c?.spec.labels).toMatchObject({ 'ngb.install': 'inst1', 'ngb.group': 'team' })
    expect(JSON.stringify(c?.spec)).not.toContain(KEY)
    c?.exit(0)
    await handle.done
  })

  test('streams frames, records the run and masks the secret in the run log', async () => {
    const { repos, runtime, clock, runner, group } = setup()
    const seen: string[] = []
    const handle = runner.start({ ...req(group), onFrame: (f) => seen.push(f.type) })
    const c = runtime.containers[0]
    clock.advance(250)
    c?.print(`noise with ${KEY}\n`)
    c?.frame({ type: 'session', sessionId: 'abc' })
    c?.frame({ type: 'result', text: 'one' })
    c?.stderr(`warn: leaked ${KEY}\n`)
    c?.exit(0)
    const outcome = await handle.done
    expect(outcome).toMatchObject({ status: 'ok', exitCode: 0, sessionId: 'abc', results: ['one'] })
    expect(seen).toEqual(['session', 'result'])
    const run = repos.runs.get(outcome.runId)
    expect(run).toMatchObject({ status: 'ok', exitCode: 0, groupFolder: 'team', trigger: 'cli' })
    expect(run?.firstOutputAt).toBe(1_000_250)
    expect(run?.bytesOut).toBeGreaterThan(0)
    const log = readFileSync(run?.logPath ?? '', 'utf8')
    expect(log).toContain('noise with ***')
    expect(log).toContain('leaked ***')
    expect(log).not.toContain(KEY)
  })

  test('the idle timeout writes _close; output re-arms it', async () => {
    const { paths, runtime, clock, runner, group } = setup()
    let frameSeen = () => {}
    const seen = new Promise<void>((resolve) => {
      frameSeen = resolve
    })
    const handle = runner.start({ ...req(group), onFrame: () => frameSeen() })
    const close = join(inputDir(paths), '_close')
    clock.advance(9_000)
    runtime.containers[0]?.frame({ type: 'result', text: 'x' })
    // The frame crosses the stdout stream asynchronously; the runner re-arms the timer on it.
    await seen
    clock.advance(9_000)
    expect(existsSync(close)).toBe(false)
    clock.advance(1_001)
    expect(existsSync(close)).toBe(true)
    runtime.containers[0]?.exit(0)
    expect((await handle.done).status).toBe('ok')
  })

  test('the hard timeout stops the container and reports timeout', async () => {
    const { runtime, clock, runner, group, repos } = setup()
    const handle = runner.start({ ...req(group), timeoutMs: 3000 })
    clock.advance(3001)
    const outcome = await handle.done
    expect(runtime.stops).toEqual([handle.containerName])
    expect(outcome).toMatchObject({ status: 'timeout', exitCode: 143, errorKind: 'timeout' })
    expect(repos.runs.get(outcome.runId)?.status).toBe('timeout')
  })

  test('output past the cap stops the container: output_too_large', async () => {
    const { runtime, runner, group } = setup()
    const handle = runner.start(req(group))
    const c = runtime.containers[0]
    for (let i = 0; i < 60; i++) c?.frame({ type: 'result', text: `part ${i}` })
    const outcome = await handle.done
    expect(outcome).toMatchObject({ status: 'error', errorKind: 'output_too_large' })
    expect(runtime.stops).toHaveLength(1)
  })

  test('a non-zero exit is an error with the agent error frame as the reason', async () => {
    const { runtime, runner, group } = setup()
    const handle = runner.start(req(group))
    runtime.containers[0]?.frame({ type: 'error', kind: 'auth', message: 'bad key' })
    runtime.containers[0]?.exit(1)
    expect(await handle.done).toMatchObject({
      status: 'error',
      exitCode: 1,
      error: 'bad key',
      errorKind: 'auth',
    })
  })

  test('an exit without frames names the code and the last stderr line', async () => {
    const { runtime, runner, group } = setup()
    const handle = runner.start(req(group))
    runtime.containers[0]?.stderr('starting\nSegmentation fault\n')
    runtime.containers[0]?.exit(139)
    expect((await handle.done).error).toBe('the container exited with code 139: Segmentation fault')
  })

  test('stderr past the cap is not logged', async () => {
    const { repos, runtime, runner, group } = setup()
    const handle = runner.start(req(group))
    const c = runtime.containers[0]
    for (let i = 0; i < 100; i++) c?.stderr(`${'x'.repeat(99)}\n`)
    c?.exit(0)
    const outcome = await handle.done
    const log = readFileSync(repos.runs.get(outcome.runId)?.logPath ?? '', 'utf8')
    // 40 chunks of 100 bytes fit under the 4096-byte cap; the other 60 are dropped.
    expect(log.split('\n').filter((l) => l.includes('xxxxx')).length).toBe(40)
    expect(log).toContain('the rest is not logged')
  })

  test('a spawn failure resolves as an error run, never throws', async () => {
    const { runtime, runner, group, repos } = setup()
    runtime.failNextStart(new Error('Executable not found in $PATH: "docker"'))
    const outcome = await runner.start(req(group)).done
    expect(outcome).toMatchObject({ status: 'error', errorKind: 'spawn' })
    expect(outcome.error).toContain('Executable not found')
    expect(repos.runs.get(outcome.runId)?.status).toBe('error')
  })

  test('follow-ups are atomic files until the run ends; stale input is cleared at start', async () => {
    const { paths, runtime, runner, group } = setup()
    const first = runner.start(req(group))
    writeFileSync(join(inputDir(paths), '_close'), '')
    runtime.containers[0]?.exit(0)
    await first.done
    const handle = runner.start(req(group))
    expect(readdirSync(inputDir(paths))).toEqual([])
    expect(handle.sendFollowUp('more')).toBe(true)
    const [file] = readdirSync(inputDir(paths))
    expect(file).toMatch(/^\d{13}-[a-z0-9]+\.json$/)
    expect(JSON.parse(readFileSync(join(inputDir(paths), file ?? ''), 'utf8'))).toEqual({
      type: 'message',
      text: 'more',
    })
    handle.close()
    expect(existsSync(join(inputDir(paths), '_close'))).toBe(true)
    runtime.containers[1]?.exit(0)
    await handle.done
    expect(handle.sendFollowUp('late')).toBe(false)
  })

  test('a timeout that fires while the container is still being created still stops it', async () => {
    const { runtime, clock, runner, group, repos } = setup()
    const creation = runtime.delayNextCreation()
    const handle = runner.start({ ...req(group), timeoutMs: 5 })
    clock.advance(6)
    // The first stop found no container (it is still being created); it appears afterwards.
    await waitFor(() => runtime.stops.length === 1, 'the first stop')
    creation.created()
    let settled = false
    void handle.done.then(() => {
      settled = true
    })
    await waitFor(() => {
      clock.advance(1000)
      return settled
    }, 'the run to end once the container appeared')
    const outcome = await handle.done
    expect(runtime.stops.length).toBeGreaterThanOrEqual(2)
    expect(outcome).toMatchObject({ status: 'timeout', exitCode: 143 })
    expect(repos.runs.get(outcome.runId)?.status).toBe('timeout')
  })

  test('kill() right after start, before the container exists, still ends the run', async () => {
    const { runtime, clock, runner, group } = setup()
    const creation = runtime.delayNextCreation()
    const handle = runner.start(req(group))
    const killed = handle.kill()
    await waitFor(() => runtime.stops.length === 1, 'the first stop')
    creation.created()
    await waitFor(() => {
      clock.advance(1000)
      return runtime.stops.length >= 2
    }, 'a second stop')
    await killed
    expect((await handle.done).exitCode).toBe(143)
  })

  test('kill() stops the container', async () => {
    const { runtime, runner, group } = setup()
    const handle = runner.start(req(group))
    await handle.kill()
    expect(runtime.stops).toEqual([handle.containerName])
    expect((await handle.done).exitCode).toBe(143)
  })

  test('an invalid folder is refused before anything starts', () => {
    const { runtime, runner, group } = setup()
    expect(() => runner.start(req({ ...group, folder: '../x' }))).toThrow('valid group folder')
    expect(runtime.containers).toHaveLength(0)
  })
})
