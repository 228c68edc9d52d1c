import { afterAll, beforeAll, describe, expect, setDefaultTimeout } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as v from 'valibot'
import type { Runtime } from '../../src/app.ts'
import { createContainerRuntime, createRunner, createRuntime } from '../../src/app.ts'
import { loadConfig } from '../../src/config/load.ts'
import { removeOrphans } from '../../src/core/container/orphans.ts'
import type { NgbEvent } from '../../src/core/events.ts'
import { createEventBus } from '../../src/core/events.ts'
import type { Group } from '../../src/core/types.ts'
import type { OutputFrame } from '../../src/protocol/container.ts'
import { SendMessageActionSchema, TaskActionSchema } from '../../src/protocol/container.ts'
import { agentSandbox, ensureTestImage } from '../helpers/agent-image.ts'
import { docker, dockerTest } from '../helpers/docker.ts'
import { waitFor } from '../helpers/wait.ts'

// Container turns take ~0.5-1 s each, /hang waits out a 3 s timeout: more than the 5 s default.
setDefaultTimeout(30_000)
let rt: Runtime | undefined
let group: Group
// Registered before the sandbox so the runtime closes before the sandbox's temp dir is removed.
afterAll(async () => {
  await rt?.shutdown.run('test done')
})
const box = agentSandbox()
const live = (): Runtime => {
  if (!rt) throw new Error('runtime not started')
  return rt
}

function runtimeWith(env: Record<string, string | undefined>): Runtime {
  return createRuntime({ loaded: loadConfig({ env: { ...box.env, ...env } }), consoleStream: null })
}

beforeAll(async () => {
  box.env.NGB_CONTAINER_IMAGE = await ensureTestImage()
  rt = runtimeWith({ NGB_IDLE_TIMEOUT_MS: '1500' })
  group = live().repos.groups.create(
    { folder: 'team', name: 'Team', isMain: false, triggerMode: 'always' },
    1,
  )
})
afterAll(() => box.cleanup())

const texts = (frames: OutputFrame[]) => frames.flatMap((f) => (f.type === 'result' ? [f.text] : []))

describe('agent runner against real containers', () => {
  dockerTest('a follow-up written during a /sleep turn is answered by the same container', async () => {
    const frames: OutputFrame[] = []
    const handle = createRunner(live()).start({
      group,
      prompt: '<messages><message sender="a" time="1">/sleep 1200</message></messages>',
      chatJid: 'cli:team',
      trigger: 'cli',
      onFrame: (f) => frames.push(f),
    })
    // Wait for the container to be up (its session frame) so the follow-up lands mid-sleep.
    await waitFor(() => frames.some((f) => f.type === 'session'), 'the session frame', 10_000)
    expect(texts(frames)).toEqual([])
    expect(handle.sendFollowUp('<messages><message sender="b" time="2">and again</message></messages>')).toBe(
      true,
    )
    await waitFor(() => texts(frames).length >= 2, 'both answers', 10_000)
    handle.close()
    const outcome = await handle.done
    expect(outcome.status).toBe('ok')
    expect(outcome.results).toEqual(['mock: slept 1200', 'mock: and again'])
    expect(handle.sendFollowUp('too late')).toBe(false)
    const runs = live()
      .repos.runs.list({ groupFolder: 'team' })
      .filter((r) => r.id === outcome.runId)
    expect(runs).toHaveLength(1)
    expect(runs[0]?.containerName).toBe(handle.containerName)
  })

  dockerTest('an idle container is closed after NGB_IDLE_TIMEOUT_MS and the run is ok', async () => {
    const t0 = Date.now()
    const handle = createRunner(live()).start({ group, prompt: 'hi', chatJid: 'cli:team', trigger: 'cli' })
    const outcome = await handle.done
    expect(outcome).toMatchObject({ status: 'ok', exitCode: 0, results: ['mock: hi'] })
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500)
    expect(Date.now() - t0).toBeLessThan(10_000)
  })

  dockerTest('agent actions land as valid IPC files of the group', async () => {
    const frames: OutputFrame[] = []
    const handle = createRunner(live()).start({
      group,
      prompt: '/send telegram:group:42 hello there',
      chatJid: 'telegram:group:42',
      trigger: 'message',
      onFrame: (f) => frames.push(f),
    })
    // Follow-ups waiting when the agent starts join its first prompt; this one must be its own turn.
    await waitFor(() => frames.some((f) => f.type === 'result'), 'the first answer', 10_000)
    handle.sendFollowUp('/task cron "0 9 * * 1" weekly report')
    handle.close()
    const outcome = await handle.done
    expect(outcome.status).toBe('ok')
    const ipc = join(box.dataDir, 'ipc', 'team')
    const read = (dir: string) =>
      readdirSync(join(ipc, dir)).map((f) => JSON.parse(readFileSync(join(ipc, dir, f), 'utf8')))
    const [message] = read('messages')
    expect(v.parse(SendMessageActionSchema, message)).toEqual({
      type: 'message',
      chatJid: 'telegram:group:42',
      text: 'hello there',
    })
    const [task] = read('tasks')
    expect(v.parse(TaskActionSchema, task)).toMatchObject({
      type: 'schedule_task',
      scheduleType: 'cron',
      scheduleValue: '0 9 * * 1',
      prompt: 'weekly report',
    })
  })

  dockerTest('output past the cap stops the container and fails the run', async () => {
    const small = runtimeWith({ NGB_MAX_OUTPUT_BYTES: '1024' })
    try {
      const handle = createRunner(small).start({
        group,
        prompt: '/multi 100',
        chatJid: 'cli:team',
        trigger: 'cli',
      })
      handle.close()
      const outcome = await handle.done
      expect(outcome).toMatchObject({ status: 'error', errorKind: 'output_too_large' })
      expect(outcome.results.length).toBeLessThan(100)
      expect(box.leftovers()).toEqual([])
    } finally {
      await small.shutdown.run('test done')
    }
  })

  dockerTest('publishes run events and records the run with its log file', async () => {
    const bus = createEventBus()
    const events: NgbEvent['type'][] = []
    bus.on('*', (e) => events.push(e.type))
    const handle = createRunner(live(), { bus }).start({
      group,
      prompt: '/fail boom',
      chatJid: 'cli:team',
      trigger: 'web',
    })
    const outcome = await handle.done
    expect(outcome).toMatchObject({
      status: 'error',
      exitCode: 1,
      errorKind: 'agent',
      error: 'mock failure: boom',
    })
    expect(events[0]).toBe('run.started')
    expect(events.at(-1)).toBe('run.finished')
    expect(events).toContain('run.activity')
    const run = live().repos.runs.get(outcome.runId)
    expect(run).toMatchObject({ status: 'error', exitCode: 1, trigger: 'web', error: 'mock failure: boom' })
    expect(readFileSync(run?.logPath ?? '', 'utf8')).toContain('mock failure: boom')
    expect(run?.logPath?.startsWith(join(box.dataDir, 'groups', 'team', 'logs'))).toBe(true)
  })

  dockerTest('removeOrphans removes this install’s containers and leaves other installs alone', async () => {
    const mine = docker([
      'create',
      '--label',
      `ngb.install=${box.installId}`,
      box.env.NGB_CONTAINER_IMAGE ?? '',
    ]).out.trim()
    const theirs = docker([
      'create',
      '--label',
      `ngb.install=${box.installId}-other`,
      'ngb-agent:test',
    ]).out.trim()
    try {
      const removed = await removeOrphans(createContainerRuntime(live()), box.installId)
      expect(removed).toHaveLength(1)
      expect(box.leftovers()).toEqual([])
      expect(docker(['inspect', theirs]).code).toBe(0)
    } finally {
      docker(['rm', '-f', mine, theirs])
    }
  })
})
