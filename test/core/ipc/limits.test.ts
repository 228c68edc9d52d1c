import { expect, test } from 'bun:test'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createEventBus } from '../../../src/core/events.ts'
import type { DeliveryRequest } from '../../../src/core/outbound/deliver.ts'
import { createTaskRuntime } from '../../../src/core/task-runtime.ts'
import { atomicWriteJson, ipcFileName } from '../../../src/protocol/ipc-files.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { metricsRoute } from '../../../src/web/api/metrics.ts'
import { createManualClock } from '../../fakes/manual-clock.ts'
import { testDb } from '../../helpers/db.ts'
import { tempDir } from '../../helpers/temp.ts'
import { createTestWeb } from '../../web/harness.ts'

const T0 = 1_800_000_000_000

/** The task runtime as serve wires it (real SQLite, real IPC dir), with small limits. */
function setup() {
  const { repos } = testDb()
  repos.groups.create({ folder: 'main', name: 'Main', isMain: true, triggerMode: 'always' }, T0)
  repos.groups.create({ folder: 'noisy', name: 'Noisy', triggerMode: 'always' }, T0)
  for (const [jid, folder] of [
    ['telegram:group:1', 'main'],
    ['telegram:group:2', 'noisy'],
  ] as const) {
    repos.chats.upsert({ jid, platform: 'telegram', isGroup: true }, T0)
    repos.chats.bind(jid, folder, T0)
  }
  const ipcDir = tempDir('ngb-limits-')
  const clock = createManualClock(T0)
  const delivered: DeliveryRequest[] = []
  const log = createMemoryLogger()
  const rt = createTaskRuntime({
    repos,
    groupOfChat: (jid) => {
      const b = repos.chats.bindingOf(jid)
      return b ? repos.groups.get(b.groupFolder) : undefined
    },
    registerGroup: () => {
      throw new Error('not in this test')
    },
    deliver: async (req) => {
      delivered.push(req)
      return { sent: true }
    },
    enqueueTask: () => {},
    bus: createEventBus(),
    clock,
    log,
    timezone: 'UTC',
    ipcDir,
    ipc: { fsEvents: false },
    limits: { messagesPerMinute: 3, maxTasks: 2, ipcMaxBytes: 4096 },
  })
  const write = (dir: 'messages' | 'tasks', body: unknown) =>
    atomicWriteJson(join(ipcDir, 'noisy', dir), body, ipcFileName(clock.now()))
  const toMain = () => delivered.filter((d) => d.chatJid === 'telegram:group:1')
  const toNoisy = () => delivered.filter((d) => d.chatJid === 'telegram:group:2')
  return { rt, repos, ipcDir, clock, write, toMain, toNoisy, log }
}

const msg = (text: string) => ({ type: 'message', chatJid: 'telegram:group:2', text })

test('messages over the per-minute cap are refused, counted, kept small, and main is told once', async () => {
  const s = setup()
  for (let i = 0; i < 6; i++) s.write('messages', msg(`m${i}`))
  await s.rt.watcher.scan()
  expect(s.toNoisy().map((d) => d.text)).toEqual(['m0', 'm1', 'm2'])
  expect(s.toMain()).toHaveLength(1)
  expect(s.toMain()[0]?.text).toContain('"noisy" hit a limit')
  expect(s.rt.limits?.counts()).toEqual([{ group: 'noisy', kind: 'messages_per_minute', refused: 3 }])
  const errors = readdirSync(join(s.ipcDir, 'errors'))
  expect(errors).toHaveLength(3)
  expect(readFileSync(join(s.ipcDir, 'errors', errors[0] ?? ''), 'utf8')).toContain(
    'limit: more than 3 messages',
  )
  // A minute later the window has room again; main is not told a second time.
  s.clock.advance(60_000)
  for (let i = 6; i < 10; i++) s.write('messages', msg(`m${i}`))
  await s.rt.watcher.scan()
  expect(s.toNoisy().map((d) => d.text)).toEqual(['m0', 'm1', 'm2', 'm6', 'm7', 'm8'])
  expect(s.toMain()).toHaveLength(1)
})

test('tasks over the per-group cap are refused', async () => {
  const s = setup()
  for (let i = 0; i < 4; i++)
    s.write('tasks', {
      type: 'schedule_task',
      prompt: `t${i}`,
      scheduleType: 'interval',
      scheduleValue: '1h',
    })
  await s.rt.watcher.scan()
  expect(
    s.repos.tasks
      .list({ groupFolder: 'noisy' })
      .map((t) => t.prompt)
      .sort(),
  ).toEqual(['t0', 't1'])
  expect(s.rt.limits?.counts()).toEqual([{ group: 'noisy', kind: 'tasks', refused: 2 }])
  expect(s.toMain()).toHaveLength(1)
})

test('pending ipc files past the byte budget are refused; each rejected file is kept as a few KB', async () => {
  const s = setup()
  s.write('messages', msg('small'))
  s.write('messages', msg('x'.repeat(50_000)))
  s.write('messages', msg('after'))
  await s.rt.watcher.scan()
  expect(s.toNoisy().map((d) => d.text)).toEqual(['small'])
  const errors = readdirSync(join(s.ipcDir, 'errors'))
  expect(errors).toHaveLength(2)
  for (const f of errors) expect(statSync(join(s.ipcDir, 'errors', f)).size).toBeLessThan(4096 + 300)
  expect(s.rt.limits?.counts()).toEqual([{ group: 'noisy', kind: 'ipc_bytes', refused: 1 }])
  expect(readdirSync(join(s.ipcDir, 'noisy', 'messages'))).toEqual([])
})

test('refusals are exported on /metrics as ngb_agent_limit_refusals_total', async () => {
  const s = setup()
  for (let i = 0; i < 5; i++) s.write('messages', msg(`m${i}`))
  await s.rt.watcher.scan()
  const web = await createTestWeb()
  const app = metricsRoute({
    services: web.services,
    messageCount: () => 0,
    limitRefusals: () => s.rt.limits?.counts() ?? [],
    wsClients: () => 0,
    uptimeMs: () => 0,
  })
  const text = await (await app.handle(new Request('http://localhost/metrics'))).text()
  expect(text).toContain('ngb_agent_limit_refusals_total{group="noisy",kind="messages_per_minute"} 2')
})
