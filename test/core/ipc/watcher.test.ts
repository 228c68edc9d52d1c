import { describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ActionOutcome, IpcActions } from '../../../src/core/ipc/actions.ts'
import { createIpcWatcher } from '../../../src/core/ipc/watcher.ts'
import { atomicWriteJson } from '../../../src/protocol/ipc-files.ts'
import { systemClock } from '../../../src/util/clock.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { tempDir } from '../../helpers/temp.ts'

interface Call {
  folder: string
  dir: 'messages' | 'tasks'
  data: unknown
}

function setup(decide: (call: Call) => ActionOutcome | Promise<ActionOutcome> = () => ({ kind: 'done' })) {
  const ipcDir = tempDir('ngb-ipc-')
  const calls: Call[] = []
  const waiters: Array<{ n: number; resolve: () => void }> = []
  const record = async (call: Call) => {
    calls.push(call)
    for (const w of waiters.filter((w) => calls.length >= w.n)) w.resolve()
    return decide(call)
  }
  const actions: IpcActions = {
    message: (folder, data) => record({ folder, dir: 'messages', data }),
    task: (folder, data) => record({ folder, dir: 'tasks', data }),
  }
  const log = createMemoryLogger()
  const make = (opts: Parameters<typeof createIpcWatcher>[1] = {}) =>
    createIpcWatcher({ ipcDir, actions, clock: systemClock, log }, opts)
  const dir = (folder: string, sub: string) => {
    const d = join(ipcDir, folder, sub)
    mkdirSync(d, { recursive: true })
    return d
  }
  /** Resolves when the n-th action call has happened (deadline: the test timeout). */
  const callCount = (n: number) =>
    new Promise<void>((resolve) => {
      if (calls.length >= n) resolve()
      else waiters.push({ n, resolve })
    })
  const errors = () => (existsSync(join(ipcDir, 'errors')) ? readdirSync(join(ipcDir, 'errors')).sort() : [])
  const rejections = () => log.records.filter((r) => r.msg === 'ipc file rejected')
  return { ipcDir, calls, make, dir, callCount, errors, rejections, log }
}

describe('ipc watcher', () => {
  test('processes .json files in name order across messages and tasks, deletes them, ignores the rest', async () => {
    const s = setup()
    const m = s.dir('alpha', 'messages')
    const t = s.dir('alpha', 'tasks')
    writeFileSync(join(m, '0000000000003-c.json'), '{"n":3}')
    writeFileSync(join(t, '0000000000002-b.json'), '{"n":2}')
    writeFileSync(join(m, '0000000000001-a.json'), '{"n":1}')
    writeFileSync(join(m, '0000000000000-z.json.tmp'), '{"half')
    writeFileSync(join(m, 'notes.txt'), 'hello')
    const stats = await s.make().scan()
    expect(stats).toEqual({ processed: 3, rejected: 0, backlog: false })
    expect(s.calls).toEqual([
      { folder: 'alpha', dir: 'messages', data: { n: 1 } },
      { folder: 'alpha', dir: 'tasks', data: { n: 2 } },
      { folder: 'alpha', dir: 'messages', data: { n: 3 } },
    ])
    expect(readdirSync(m).sort()).toEqual(['0000000000000-z.json.tmp', 'notes.txt'])
    expect(readdirSync(t)).toEqual([])
  })

  test('malformed, oversized, symlinked, unknown and refused files go to errors/ with a logged reason; the rest still run', async () => {
    const s = setup((c) => {
      const kind = (c.data as { kind?: string }).kind
      if (kind === 'unknown') return { kind: 'unknown', reason: 'unknown type "x"' }
      if (kind === 'refused') return { kind: 'refused', reason: 'not your chat' }
      if (kind === 'throw') throw new Error('boom')
      return { kind: 'done' }
    })
    const m = s.dir('beta', 'messages')
    const secret = join(s.ipcDir, 'host-secret.json')
    writeFileSync(secret, '{"kind":"done","secret":true}')
    writeFileSync(join(m, '1-malformed.json'), '{not json')
    writeFileSync(join(m, '2-oversized.json'), JSON.stringify({ kind: 'done', pad: 'x'.repeat(2000) }))
    symlinkSync(secret, join(m, '3-link.json'))
    writeFileSync(join(m, '4-unknown.json'), '{"kind":"unknown"}')
    writeFileSync(join(m, '5-refused.json'), '{"kind":"refused"}')
    writeFileSync(join(m, '6-throws.json'), '{"kind":"throw"}')
    writeFileSync(join(m, '7-good.json'), '{"kind":"done"}')
    const stats = await s.make({ maxFileBytes: 1024 }).scan()
    expect(stats).toEqual({ processed: 1, rejected: 6, backlog: false })
    expect(s.errors()).toEqual([
      'beta-1-malformed.json',
      'beta-2-oversized.json',
      'beta-3-link.json',
      'beta-4-unknown.json',
      'beta-5-refused.json',
      'beta-6-throws.json',
    ])
    expect(readdirSync(m)).toEqual([])
    expect(s.calls.map((c) => c.data)).not.toContainEqual({ kind: 'done', secret: true })
    const reasons = Object.fromEntries(s.rejections().map((r) => [r.file, r.reason]))
    expect(reasons['1-malformed.json']).toStartWith('malformed JSON')
    expect(reasons['2-oversized.json']).toMatch(/^oversized: \d+ bytes \(limit 1024\)/)
    expect(reasons['3-link.json']).toBe('is a symlink')
    expect(reasons['4-unknown.json']).toBe('unknown: unknown type "x"')
    expect(reasons['5-refused.json']).toBe('refused: not your chat')
    expect(reasons['6-throws.json']).toBe('failed: boom')
  })

  test('identity is the directory; errors/ and names that are no folder are never read', async () => {
    const s = setup()
    atomicWriteJson(s.dir('main', 'messages'), { from: 'main' })
    atomicWriteJson(s.dir('errors', 'messages'), { from: 'errors' })
    atomicWriteJson(s.dir('Bad_Name', 'messages'), { from: 'bad' })
    await s.make().scan()
    expect(s.calls.map((c) => c.folder)).toEqual(['main'])
  })

  test('takes a bounded number of files per group per cycle and reports the backlog', async () => {
    const s = setup()
    const m = s.dir('alpha', 'messages')
    for (let i = 0; i < 10; i++) atomicWriteJson(m, { i }, `${String(i).padStart(13, '0')}-x.json`)
    const stats = await s.make({ maxFilesPerCycle: 3 }).scan()
    expect(stats).toEqual({ processed: 3, rejected: 0, backlog: true })
    expect(s.calls.map((c) => c.data)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }])
  })

  test('a started watcher drains a backlog by itself', async () => {
    const s = setup()
    const m = s.dir('alpha', 'messages')
    for (let i = 0; i < 10; i++) atomicWriteJson(m, { i }, `${String(i).padStart(13, '0')}-x.json`)
    const w = s.make({ maxFilesPerCycle: 3, pollIntervalMs: 60_000, fsEvents: false })
    w.start()
    await s.callCount(10)
    await w.stop()
    expect(s.calls.map((c) => (c.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  test('fs events pick a new file up without waiting for the poll', async () => {
    const s = setup()
    const w = s.make({ pollIntervalMs: 60_000 })
    w.start()
    await w.scan()
    const started = performance.now()
    atomicWriteJson(s.dir('gamma', 'tasks'), { hello: 1 })
    await s.callCount(1)
    await w.stop()
    expect(performance.now() - started).toBeLessThan(2000)
    expect(s.calls).toEqual([{ folder: 'gamma', dir: 'tasks', data: { hello: 1 } }])
  })

  test('without fs events the poll still finds new files', async () => {
    const s = setup()
    const w = s.make({ pollIntervalMs: 50, fsEvents: false })
    w.start()
    atomicWriteJson(s.dir('delta', 'messages'), { polled: true })
    await s.callCount(1)
    await w.stop()
    expect(s.calls[0]?.data).toEqual({ polled: true })
  })

  test('beyond the errors/ cap rejected files are deleted, not kept', async () => {
    const s = setup(() => ({ kind: 'invalid', reason: 'bad' }))
    const m = s.dir('alpha', 'messages')
    for (let i = 0; i < 4; i++) atomicWriteJson(m, { i }, `${i}-x.json`)
    await s.make({ maxErrorFiles: 2 }).scan()
    expect(s.errors()).toEqual(['alpha-0-x.json', 'alpha-1-x.json'])
    expect(readdirSync(m)).toEqual([])
  })

  test('a stopped watcher lets the process exit', async () => {
    const src = (p: string) => JSON.stringify(join(import.meta.dir, '../../../src', p))
    const script = `
      import { createIpcWatcher } from ${src('core/ipc/watcher.ts')}
      import { systemClock } from ${src('util/clock.ts')}
      import { createMemoryLogger } from ${src('util/log.ts')}
      const w = createIpcWatcher({ ipcDir: ${JSON.stringify(tempDir('ngb-ipc-exit-'))}, clock: systemClock,
        log: createMemoryLogger(), actions: { message: async () => ({ kind: 'done' }), task: async () => ({ kind: 'done' }) } },
        { pollIntervalMs: 600000 })
      w.start(); await w.scan(); await w.stop(); console.log('stopped')`
    const proc = Bun.spawn([process.execPath, '-e', script], { stdout: 'pipe', stderr: 'pipe' })
    const killer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
    const code = await proc.exited
    clearTimeout(killer)
    expect(await new Response(proc.stdout).text()).toBe('stopped\n')
    expect(code).toBe(0)
  })
})
