import { describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createEventBus } from '../../src/core/events.ts'
import { createGroupsService } from '../../src/core/groups.ts'
import { createIpcActions } from '../../src/core/ipc/actions.ts'
import { createIpcWatcher, ERRORS_DIR } from '../../src/core/ipc/watcher.ts'
import type { DeliveryRequest } from '../../src/core/outbound/deliver.ts'
import { createTasksService } from '../../src/core/tasks.ts'
import { atomicWriteJson } from '../../src/protocol/ipc-files.ts'
import { systemClock } from '../../src/util/clock.ts'
import { createMemoryLogger } from '../../src/util/log.ts'
import { testDb } from '../helpers/db.ts'
import { tempDir } from '../helpers/temp.ts'
import { waitFor } from '../helpers/wait.ts'
import { deepJsonText, junk, randomJson } from './gen.ts'
import { forAll, type Rng } from './prng.ts'

const FOLDERS = ['main', 'alpha', 'beta'] as const
const CHATS: Record<(typeof FOLDERS)[number], string> = {
  main: 'telegram:1',
  alpha: 'discord:channel:2',
  beta: 'slack:C3',
}

/** The real services the agents' files reach: groups, tasks (SQLite), and a recording delivery. */
function setup() {
  const { repos } = testDb()
  const bus = createEventBus()
  const log = createMemoryLogger()
  const groups = createGroupsService({
    repos,
    bus,
    clock: systemClock,
    groupsDir: tempDir('ngb-fuzz-groups-'),
  })
  groups.createGroup({ folder: 'main' }) // the first group is main
  for (const f of FOLDERS.filter((f) => f !== 'main')) groups.createGroup({ folder: f })
  for (const f of FOLDERS) groups.bind(CHATS[f], f)
  const tasks = createTasksService({
    tasks: repos.tasks,
    groups: repos.groups,
    chats: repos.chats,
    bus,
    clock: systemClock,
    timezone: 'UTC',
  })
  const delivered: DeliveryRequest[] = []
  const actions = createIpcActions({
    groups: { get: (f) => groups.get(f) },
    groupOfChat: (jid) => groups.groupOfChat(jid),
    chatsOf: (f) => repos.chats.chatsOf(f),
    tasks,
    sendMessage: async (req) => {
      delivered.push(req)
      return { sent: true, chunks: 1 }
    },
    registerGroup: (input) => {
      const g = groups.createGroup({ folder: input.folder, name: input.name, triggerMode: input.triggerMode })
      groups.bind(input.jid, g.folder)
      return g
    },
    log,
  })
  const ipcDir = tempDir('ngb-fuzz-ipc-')
  const watcher = createIpcWatcher(
    { ipcDir, actions, clock: systemClock, log },
    { pollIntervalMs: 50, maxFileBytes: 4096 },
  )
  return { ipcDir, watcher, delivered, log }
}

/** One file an agent (or a broken agent) could leave: valid, almost valid, or garbage. */
function randomFileBody(rng: Rng): string | Uint8Array {
  const jid = rng.bool(0.6) ? rng.pick(Object.values(CHATS)) : junk(rng, 20)
  return rng.pick<() => string | Uint8Array>([
    () => JSON.stringify({ type: 'message', chatJid: jid, text: rng.bool(0.9) ? junk(rng, 60) || 'x' : '' }),
    () =>
      JSON.stringify({
        type: 'schedule_task',
        prompt: junk(rng, 30) || 'p',
        scheduleType: rng.pick(['cron', 'interval', 'once', 'never']),
        scheduleValue: rng.pick(['* * * * *', '5m', 'now', '2099-01-01T00:00Z', junk(rng, 12)]),
        targetJid: rng.bool() ? jid : undefined,
      }),
    () =>
      JSON.stringify({ type: rng.pick(['pause_task', 'resume_task', 'cancel_task']), taskId: junk(rng, 12) }),
    () =>
      JSON.stringify({
        type: 'register_group',
        jid: `telegram:${rng.int(100, 999)}`,
        name: junk(rng, 10),
        folder: rng.bool() ? `g${rng.int(0, 99)}` : junk(rng, 10),
      }),
    () => JSON.stringify(randomJson(rng)),
    () => junk(rng, 80),
    () => new Uint8Array(Array.from({ length: rng.int(0, 200) }, () => rng.int(0, 255))),
    () => deepJsonText(rng.int(1000, 20_000)).slice(0, rng.bool() ? 4000 : 40_000),
    () => '',
    () => '{"type":"message","chatJid":"telegram:1","text":"unterminated',
  ])()
}

describe('IPC files (property)', () => {
  test('every malformed or refused file goes to errors/, every good one runs, and the watcher keeps running', async () => {
    const s = setup()
    let written = 0
    await forAll('ipc files', 60, async (rng, i) => {
      const folder = rng.pick(FOLDERS)
      const dir = join(s.ipcDir, folder, rng.pick(['messages', 'tasks']))
      mkdirSync(dir, { recursive: true })
      const count = rng.int(1, 12)
      for (let k = 0; k < count; k++) {
        const name = `${String(i).padStart(6, '0')}-${k}.json`
        const roll = rng.next()
        if (roll < 0.03) symlinkSync(join(s.ipcDir, '..'), join(dir, name))
        else if (roll < 0.05) mkdirSync(join(dir, name))
        else writeFileSync(join(dir, name), randomFileBody(rng))
        written++
      }
      const before = s.delivered.length
      let processed = 0
      let rejected = 0
      for (;;) {
        const stats = await s.watcher.scan()
        processed += stats.processed
        rejected += stats.rejected
        if (!stats.backlog) break
      }
      expect(processed + rejected).toBe(count)
      expect(s.delivered.length - before).toBeLessThanOrEqual(processed)
      for (const sub of ['messages', 'tasks']) {
        const left = existsSync(join(s.ipcDir, folder, sub)) ? readdirSync(join(s.ipcDir, folder, sub)) : []
        expect(left.filter((n) => n.endsWith('.json'))).toEqual([])
      }
    })
    const errors = readdirSync(join(s.ipcDir, ERRORS_DIR))
    const rejections = s.log.records.filter((r) => r.msg === 'ipc file rejected')
    expect(errors.length).toBe(rejections.length)
    expect(errors.length).toBeGreaterThan(0)
    expect(errors.length).toBeLessThan(written)

    // After all that the live loop still picks up a good file.
    s.watcher.start()
    try {
      atomicWriteJson(join(s.ipcDir, 'alpha', 'messages'), {
        type: 'message',
        chatJid: CHATS.alpha,
        text: 'still alive',
      })
      await waitFor(
        () => s.delivered.some((d) => d.text === 'still alive'),
        'the watcher to process a good file',
      )
    } finally {
      await s.watcher.stop()
    }
  })

  test('corpus: deep JSON, a 20,000-level array, NUL bytes, a directory and a symlink are rejected, not fatal', async () => {
    const s = setup()
    const dir = join(s.ipcDir, 'beta', 'messages')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, '1-deep.json'), deepJsonText(1500, '{"a":', '}').replace(/\{"a":\}/, '{"a":1}'))
    writeFileSync(join(dir, '2-huge-depth.json'), deepJsonText(20_000))
    writeFileSync(join(dir, '3-nul.json'), '{"type":"message","chatJid":"slack:C3","text":"a\u0000b"}\u0000')
    mkdirSync(join(dir, '4-dir.json'))
    symlinkSync('/etc/passwd', join(dir, '5-link.json'))
    writeFileSync(
      join(dir, '6-proto.json'),
      '{"__proto__":{"type":"message"},"chatJid":"slack:C3","text":"x"}',
    )
    writeFileSync(
      join(dir, '7-good.json'),
      JSON.stringify({ type: 'message', chatJid: CHATS.beta, text: 'ok' }),
    )
    const stats = await s.watcher.scan()
    expect(stats).toEqual({ processed: 1, rejected: 6, backlog: false })
    expect(s.delivered.map((d) => d.text)).toEqual(['ok'])
    expect(readdirSync(join(s.ipcDir, ERRORS_DIR)).length).toBe(6)
  })
})
