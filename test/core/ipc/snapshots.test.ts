import { expect, test } from 'bun:test'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { GroupSnapshot, TaskSnapshot } from '../../../src/core/ipc/snapshots.ts'
import { createSnapshotWriter } from '../../../src/core/ipc/snapshots.ts'
import type { Task } from '../../../src/core/types.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { testDb } from '../../helpers/db.ts'
import { hourlyTask } from '../../helpers/tasks.ts'
import { tempDir } from '../../helpers/temp.ts'

function setup() {
  const { repos } = testDb()
  const ipcDir = tempDir('ngb-snap-')
  const main = repos.groups.create({ folder: 'main', name: 'Main', isMain: true, triggerMode: 'always' }, 1)
  const alpha = repos.groups.create({ folder: 'alpha', name: 'Alpha', triggerMode: 'mention' }, 2)
  repos.groups.create({ folder: 'beta', name: 'Beta', triggerMode: 'mention' }, 3)
  for (const [jid, folder] of [
    ['telegram:group:1', 'main'],
    ['telegram:group:2', 'alpha'],
    ['telegram:group:3', 'beta'],
  ] as const) {
    repos.chats.upsert({ jid, platform: 'telegram', isGroup: true }, 1)
    repos.chats.bind(jid, folder, 1)
  }
  const taskIn = (id: string, groupFolder: string): Task =>
    hourlyTask(id, groupFolder, { nextRunAt: Date.parse('2026-06-01T10:00:00Z'), createdAt: 1 })
  for (const folder of ['main', 'alpha', 'beta']) repos.tasks.create(taskIn(`task-${folder}`, folder))
  const write = createSnapshotWriter({
    ipcDir,
    tasks: repos.tasks,
    groups: repos.groups,
    chatsOf: repos.chats.chatsOf,
    log: createMemoryLogger(),
  })
  const read = <T>(folder: string, file: string) =>
    JSON.parse(readFileSync(join(ipcDir, folder, file), 'utf8')) as T
  return { main, alpha, write, read, repos, ipcDir, taskIn }
}

test('main sees every group with its chats and every task', () => {
  const s = setup()
  s.write(s.main)
  const tasks = s.read<TaskSnapshot[]>('main', 'current_tasks.json')
  expect(tasks.map((t) => t.id).sort()).toEqual(['task-alpha', 'task-beta', 'task-main'])
  expect(tasks[0]?.nextRun).toBe('2026-06-01T10:00:00.000Z')
  expect(s.read<GroupSnapshot[]>('main', 'available_groups.json')).toEqual([
    { folder: 'main', name: 'Main', isMain: true, chats: ['telegram:group:1'] },
    { folder: 'alpha', name: 'Alpha', isMain: false, chats: ['telegram:group:2'] },
    { folder: 'beta', name: 'Beta', isMain: false, chats: ['telegram:group:3'] },
  ])
})

test('a non-main group sees only itself and its own tasks', () => {
  const s = setup()
  s.write(s.alpha)
  expect(s.read<TaskSnapshot[]>('alpha', 'current_tasks.json').map((t) => t.id)).toEqual(['task-alpha'])
  expect(s.read<GroupSnapshot[]>('alpha', 'available_groups.json')).toEqual([
    { folder: 'alpha', name: 'Alpha', isMain: false, chats: ['telegram:group:2'] },
  ])
})

test('a file is rewritten only when its content changed', () => {
  const s = setup()
  const file = join(s.ipcDir, 'alpha', 'current_tasks.json')
  s.write(s.alpha)
  const first = statSync(file).ino
  s.write(s.alpha)
  expect(statSync(file).ino).toBe(first)
  s.repos.tasks.create(s.taskIn('task-new', 'alpha'))
  s.write(s.alpha)
  expect(statSync(file).ino).not.toBe(first)
  expect(s.read<TaskSnapshot[]>('alpha', 'current_tasks.json').map((t) => t.id)).toContain('task-new')
})

test('a failed write is logged and does not stop the run', () => {
  const { repos } = testDb()
  const group = repos.groups.create({ folder: 'alpha', name: 'Alpha', triggerMode: 'always' }, 1)
  const ipcDir = tempDir('ngb-snap-')
  // A file where the group's directory should be: the write fails whoever runs the test (even root).
  writeFileSync(join(ipcDir, 'alpha'), 'not a directory')
  const log = createMemoryLogger()
  const write = createSnapshotWriter({
    ipcDir,
    tasks: repos.tasks,
    groups: repos.groups,
    chatsOf: repos.chats.chatsOf,
    log,
  })
  expect(() => write(group)).not.toThrow()
  expect(log.records.some((r) => r.msg === 'could not write agent snapshots')).toBe(true)
})
