import { afterAll, beforeAll, describe, expect } from 'bun:test'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Core, Runtime } from '../../src/app.ts'
import { createCore, createRunner, createRuntime } from '../../src/app.ts'
import { loadConfig } from '../../src/config/load.ts'
import { createDockerRuntime } from '../../src/core/container/docker.ts'
import { removeOrphans } from '../../src/core/container/orphans.ts'
import type { StoredMessage } from '../../src/core/types.ts'
import { buildTestImage } from '../../src/image/test-image.ts'
import { atomicWriteJson } from '../../src/protocol/ipc-files.ts'
import { agentSandbox, ensureTestImage } from '../helpers/agent-image.ts'
import { dockerTest } from '../helpers/docker.ts'

/**
 * The agent actions and the scheduler over the real pipeline: web channel → queue → a real
 * container of ngb-agent:test (mock provider) → IPC files → watcher → delivery; tasks fired by
 * the scheduler run real containers too.
 */
let rt: Runtime | undefined
let core: Core | undefined
afterAll(async () => {
  await core?.tasks.stop()
  await core?.orchestrator.stop(5000)
  await rt?.shutdown.run('test done')
})
const box = agentSandbox()
afterAll(() => box.cleanup())

const live = () => {
  if (!rt || !core) throw new Error('not started')
  return { rt, core }
}
const botMessages: StoredMessage[] = []
/** When each task run really started, and the slot (next_run_at) it was started for. */
const taskStarts: Array<{ taskId: string; slot?: number; at: number }> = []
const said = (chatJid: string) => botMessages.filter((m) => m.chatJid === chatJid).map((m) => m.text)

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value) return value
    if (Date.now() > deadline) {
      if (process.env.NGB_TEST_DEBUG) {
        process.stderr.write(`${readFileSync(live().rt.paths.logFile, 'utf8')}\n`)
        process.stderr.write(`bot messages: ${JSON.stringify(botMessages.map((m) => [m.chatJid, m.text]))}\n`)
      }
      throw new Error(`timed out waiting for ${what}`)
    }
    await Bun.sleep(25)
  }
}

function logRecords(): Array<Record<string, unknown>> {
  const file = live().rt.paths.logFile
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

/** NGB_TEST_IMAGE picks a private tag when several checkouts share one Docker engine. */
const image = process.env.NGB_TEST_IMAGE ?? 'ngb-agent:test'

beforeAll(async () => {
  if (image === 'ngb-agent:test') await ensureTestImage()
  else await buildTestImage({ cli: 'docker', tag: image })
  rt = createRuntime({
    loaded: loadConfig({
      env: { ...box.env, NGB_CONTAINER_IMAGE: image, NGB_IDLE_TIMEOUT_MS: '1000', NGB_TIMEZONE: 'UTC' },
    }),
    consoleStream: null,
  })
  const runtime = createDockerRuntime({ cli: 'docker' })
  core = createCore(rt, {
    runner: createRunner(rt, { runtime }),
    removeOrphans: async () => (await removeOrphans(runtime, live().rt.installId)).length,
  })
  core.bus.on('message.out', (e) => botMessages.push(e.message))
  core.bus.on('task.started', (e) =>
    taskStarts.push({ taskId: e.task.id, slot: e.task.nextRunAt, at: Date.now() }),
  )
  for (const folder of ['main', 'alpha', 'beta']) core.groups.createGroup({ folder, triggerMode: 'always' })
  await core.orchestrator.start()
  core.tasks.start()
})

describe('agent actions through real containers', () => {
  dockerTest(
    "a non-main agent may not /send to another group's chat; main may",
    async () => {
      const { core, rt } = live()
      await core.web.post('alpha', '/send web:beta hello from alpha')
      await until('alpha to answer', () => said('web:alpha').includes('mock: sent to web:beta'))
      const refused = await until('the refusal in the log', () =>
        logRecords().find((r) => r.msg === 'agent action refused' && r.group === 'alpha'),
      )
      expect(refused).toMatchObject({ action: 'send_message', reason: expect.stringContaining('"beta"') })
      const errors = await until('the refused file in ipc/errors', () =>
        readdirSync(join(rt.paths.ipc, 'errors')).filter((f) => f.startsWith('alpha-')),
      )
      expect(errors).toHaveLength(1)

      await core.web.post('main', '/send web:beta hello from main')
      await until("main's message in beta's chat", () => said('web:beta').includes('hello from main'))
      expect(said('web:beta')).not.toContain('hello from alpha')
      expect(readdirSync(join(rt.paths.ipc, 'main', 'messages'))).toEqual([])
    },
    30_000,
  )

  dockerTest(
    'malformed, oversized and unknown files land in ipc/errors and the watcher keeps going',
    async () => {
      const { core, rt } = live()
      const messages = join(rt.paths.ipc, 'beta', 'messages')
      const tasks = join(rt.paths.ipc, 'beta', 'tasks')
      // Written as beta's agent would, before beta ever ran (the runner creates the dirs otherwise).
      for (const d of [messages, tasks]) mkdirSync(d, { recursive: true })
      writeFileSync(join(messages, '0000000000001-bad.json'), '{"type":"message", "chatJid":')
      writeFileSync(
        join(messages, '0000000000002-big.json'),
        JSON.stringify({ type: 'message', chatJid: 'web:beta', text: 'x'.repeat(70 * 1024) }),
      )
      atomicWriteJson(tasks, { type: 'format_disk' }, '0000000000003-unknown.json')
      atomicWriteJson(
        messages,
        { type: 'message', chatJid: 'web:beta', text: 'still alive' },
        '0000000000004-ok.json',
      )
      await until('the good file to be delivered', () => said('web:beta').includes('still alive'))
      const errorsDir = join(rt.paths.ipc, 'errors')
      const rejected = await until('three rejected files', () => {
        const names = readdirSync(errorsDir).filter((f) => f.startsWith('beta-'))
        return names.length === 3 && names.sort()
      })
      expect(rejected).toEqual([
        'beta-0000000000001-bad.json',
        'beta-0000000000002-big.json',
        'beta-0000000000003-unknown.json',
      ])
      const reasons = logRecords()
        .filter((r) => r.msg === 'ipc file rejected' && r.group === 'beta')
        .map((r) => String(r.reason))
      expect(reasons).toHaveLength(3)
      expect(reasons[0]).toStartWith('malformed JSON')
      expect(reasons[1]).toStartWith('oversized')
      expect(reasons[2]).toBe('unknown: unknown task action type "format_disk"')
      expect(existsSync(join(messages, '0000000000004-ok.json'))).toBe(false)
      // The loop is still alive after the bad files: a later action goes through too.
      await core.web.post('beta', '/send web:beta second round')
      await until('the second round', () => said('web:beta').includes('second round'))
    },
    30_000,
  )
})

describe('register_group through the composed runtime', () => {
  dockerTest(
    'main registers a group and binds its chat; another group may not',
    async () => {
      const { core, rt } = live()
      const at = (folder: string) => join(rt.paths.ipc, folder, 'tasks')
      const register = (folder: string, jid: string) => ({
        type: 'register_group',
        jid,
        name: folder,
        folder,
      })
      atomicWriteJson(at('alpha'), register('sneaky', 'telegram:group:666'))
      atomicWriteJson(at('main'), register('gamma', 'telegram:group:777'))
      await until('gamma registered', () => core.groups.get('gamma'))
      expect(core.groups.groupOfChat('telegram:group:777')?.folder).toBe('gamma')
      await until('the refusal', () =>
        logRecords().find((r) => r.msg === 'agent action refused' && r.action === 'register_group'),
      )
      expect(core.groups.get('sneaky')).toBeUndefined()
      // A chat bound elsewhere is refused before any group is created.
      atomicWriteJson(at('main'), register('delta', 'telegram:group:777'))
      await until('the conflict', () =>
        logRecords().find((r) => r.msg === 'ipc file rejected' && String(r.reason).includes('already bound')),
      )
      expect(core.groups.get('delta')).toBeUndefined()
    },
    30_000,
  )
})

describe('scheduled tasks through real containers', () => {
  dockerTest(
    'an interval task every 2 s runs at least twice on time; a once task runs exactly once',
    async () => {
      const { core, rt } = live()
      // One directive per prompt: the mock acts on the last message of a batch only.
      await core.web.post('alpha', '/task interval 2000 tick')
      await until('the interval task', () =>
        said('web:alpha').includes('mock: task scheduled (interval 2000)'),
      )
      // In another group, so its run does not hold alpha's one container slot at a tick.
      await core.web.post('beta', '/task once now just-once')
      const tasks = await until('both tasks created', () => {
        const list = rt.repos.tasks.list().filter((t) => t.prompt === 'tick' || t.prompt === 'just-once')
        return list.length === 2 && list
      })
      const every = tasks.find((t) => t.scheduleType === 'interval')
      const once = tasks.find((t) => t.scheduleType === 'once')
      if (!every || !once) throw new Error('tasks missing')
      expect(every).toMatchObject({ chatJid: 'web:alpha', prompt: 'tick', scheduleValue: '2000' })
      const finished = () => rt.repos.tasks.runs(every.id).filter((r) => r.status !== 'running')
      await until('the once task to complete', () => rt.repos.tasks.get(once.id)?.status === 'completed')
      // Two more interval runs after the once task completed: time enough for a wrong second firing.
      const before = finished().length
      await until('two more interval runs', () => finished().length >= Math.max(2, before + 2))
      core.tasks.tasks.pause(every.id)
      const starts = taskStarts.filter((t) => t.taskId === every.id)
      expect(starts.length).toBeGreaterThanOrEqual(2)
      // On time: each run started within 1 s of its slot, every slot on the grid created + k·2 s
      // (no drift), later slots only. A run longer than 2 s on a loaded machine skips a slot
      // instead of piling up, so slots need not be consecutive.
      if (process.env.NGB_TEST_DEBUG) {
        const late = starts.map((t) => [((t.slot ?? 0) - every.createdAt) / 2000, t.at - (t.slot ?? 0)])
        process.stderr.write(`interval runs [slot index, ms late]: ${JSON.stringify(late)}\n`)
      }
      let previous = 0
      for (const { slot, at } of starts) {
        if (slot === undefined) throw new Error('a run without its slot')
        expect((slot - every.createdAt) % 2000).toBe(0)
        expect(slot).toBeGreaterThan(previous)
        expect(Math.abs(at - slot)).toBeLessThanOrEqual(1000)
        previous = slot
      }
      expect(finished().filter((r) => r.status !== 'ok')).toEqual([])
      expect(said('web:alpha').filter((t) => t === 'mock: tick').length).toBeGreaterThanOrEqual(2)
      expect(rt.repos.tasks.runs(once.id)).toHaveLength(1)
      expect(rt.repos.tasks.runs(once.id)[0]).toMatchObject({ status: 'ok', result: 'mock: just-once' })
      expect(said('web:beta').filter((t) => t === 'mock: just-once')).toHaveLength(1)
      expect(rt.repos.tasks.get(once.id)?.nextRunAt).toBeUndefined()
    },
    30_000,
  )
})
