import { describe, expect, test } from 'bun:test'
import type { NewMessage } from '../../src/core/types.ts'
import { testDb } from '../helpers/db.ts'

function msg(chatJid: string, id: string, text: string, ts: number): NewMessage {
  return {
    chatJid,
    id,
    senderJid: `${chatJid}:u1`,
    senderName: 'Ann',
    text,
    ts,
    fromBot: false,
    isGroup: false,
    mentionsBot: false,
  }
}

describe('groups repo', () => {
  test('creates, lists, updates and removes groups; only one main', () => {
    const { repos } = testDb()
    repos.groups.create({ folder: 'main', name: 'Main', isMain: true, triggerMode: 'always' }, 1)
    repos.groups.create(
      { folder: 'team', name: 'Team', triggerMode: 'mention', settings: { network: 'none' } },
      2,
    )
    expect(repos.groups.list().map((g) => g.folder)).toEqual(['main', 'team'])
    expect(repos.groups.main()?.folder).toBe('main')
    expect(() =>
      repos.groups.create({ folder: 'other', name: 'O', isMain: true, triggerMode: 'always' }, 3),
    ).toThrow(/already a main group/)
    expect(() => repos.groups.create({ folder: 'team', name: 'T', triggerMode: 'always' }, 3)).toThrow(
      /already exists/,
    )
    const updated = repos.groups.update('team', { triggerMode: 'pattern', triggerPattern: '^hey' })
    expect(repos.groups.get('team')).toEqual(updated)
    expect(repos.groups.get('team')?.settings.network).toBe('none')
    expect(() => repos.groups.update('ghost', { name: 'x' })).toThrow(/"ghost" does not exist/)
    expect(repos.groups.remove('team')).toBe(true)
    expect(repos.groups.get('team')).toBeUndefined()
  })
})

describe('chats and bindings', () => {
  test('a chat binds to one group; removing the group removes its bindings', () => {
    const { repos } = testDb()
    repos.groups.create({ folder: 'a', name: 'A', triggerMode: 'always' }, 1)
    repos.groups.create({ folder: 'b', name: 'B', triggerMode: 'always' }, 1)
    repos.chats.upsert({ jid: 'telegram:1', platform: 'telegram', isGroup: false, lastMessageAt: 5 }, 1)
    repos.chats.upsert({ jid: 'slack:C1', platform: 'slack', isGroup: true, name: 'general' }, 1)
    expect(
      repos.chats
        .list({ unboundOnly: true })
        .map((c) => c.jid)
        .sort(),
    ).toEqual(['slack:C1', 'telegram:1'])
    repos.chats.bind('telegram:1', 'a', 2)
    repos.chats.bind('telegram:1', 'b', 3)
    expect(repos.chats.bindingOf('telegram:1')?.groupFolder).toBe('b')
    expect(repos.chats.chatsOf('b')).toEqual(['telegram:1'])
    expect(repos.chats.list({ unboundOnly: true }).map((c) => c.jid)).toEqual(['slack:C1'])
    repos.groups.remove('b')
    expect(repos.chats.bindingOf('telegram:1')).toBeUndefined()
  })

  test('bind tokens are single use and expire', () => {
    const { repos } = testDb()
    repos.groups.create({ folder: 'a', name: 'A', triggerMode: 'always' }, 1)
    repos.bindTokens.create('ngb-0123456789ab', 'a', 1000, 60_000)
    repos.bindTokens.create('ngb-ffffffffffff', 'a', 1000, 10)
    expect(repos.bindTokens.redeem('ngb-000000000000', 'x:1', 2000)).toEqual({ ok: false, reason: 'unknown' })
    expect(repos.bindTokens.redeem('ngb-ffffffffffff', 'x:1', 2000)).toEqual({ ok: false, reason: 'expired' })
    expect(repos.bindTokens.redeem('ngb-0123456789ab', 'x:1', 2000)).toEqual({ ok: true, groupFolder: 'a' })
    expect(repos.bindTokens.redeem('ngb-0123456789ab', 'x:2', 2001)).toEqual({ ok: false, reason: 'used' })
  })
})

describe('messages repo', () => {
  test('(chat_jid, id) dedupes; seq orders across chats', () => {
    const { repos } = testDb()
    const first = repos.messages.insert(msg('telegram:1', 'm1', 'hello', 10))
    expect(first?.seq).toBeGreaterThan(0)
    expect(repos.messages.insert(msg('telegram:1', 'm1', 'hello again', 11))).toBeUndefined()
    repos.messages.insert(msg('telegram:2', 'm1', 'same id, other chat', 12))
    const batch = repos.messages.insertMany([
      msg('telegram:1', 'm2', 'two', 13),
      msg('telegram:1', 'm2', 'dup', 14),
    ])
    expect(batch).toHaveLength(1)
    expect(repos.messages.count()).toBe(3)
    const since = repos.messages.since(['telegram:1', 'telegram:2'], first?.seq ?? 0)
    expect(since.map((m) => m.text)).toEqual(['same id, other chat', 'two'])
  })

  test('pages backwards and searches text literally', () => {
    const { repos } = testDb()
    for (let i = 1; i <= 5; i++)
      repos.messages.insert(msg('web:a', `m${i}`, `note ${i}${i === 3 ? ' 100%_done' : ''}`, i))
    const last2 = repos.messages.page('web:a', { limit: 2 })
    expect(last2.map((m) => m.id)).toEqual(['m4', 'm5'])
    const before = repos.messages.page('web:a', { beforeSeq: last2[0]?.seq, limit: 2 })
    expect(before.map((m) => m.id)).toEqual(['m2', 'm3'])
    expect(repos.messages.search('100%_').map((m) => m.id)).toEqual(['m3'])
    expect(repos.messages.search('%')).toHaveLength(1)
  })
})

describe('sessions, cursors, tasks, runs, meta', () => {
  test('sessions per scope and cursors per group', () => {
    const { repos } = testDb()
    repos.groups.create({ folder: 'a', name: 'A', triggerMode: 'always' }, 1)
    repos.sessions.set('a', 's1', 1)
    repos.sessions.set('a', 't1', 1, 'task:x')
    repos.sessions.set('a', 's2', 2)
    expect(repos.sessions.get('a')).toBe('s2')
    expect(repos.sessions.get('a', 'task:x')).toBe('t1')
    expect(repos.sessions.clear('a')).toBe(true)
    expect(repos.sessions.get('a')).toBeUndefined()
    expect(repos.cursors.get('a')).toBe(0)
    repos.cursors.set('a', 42, 3)
    expect(repos.cursors.get('a')).toBe(42)
  })

  test('tasks, due ordering and run history', () => {
    const { repos } = testDb()
    repos.groups.create({ folder: 'a', name: 'A', triggerMode: 'always' }, 1)
    const base = {
      groupFolder: 'a',
      chatJid: 'web:a',
      prompt: 'p',
      scheduleType: 'interval' as const,
      scheduleValue: '60000',
      contextMode: 'isolated' as const,
      status: 'active' as const,
      createdAt: 1,
    }
    repos.tasks.create({ ...base, id: 't1', nextRunAt: 200 })
    repos.tasks.create({ ...base, id: 't2', nextRunAt: 100 })
    repos.tasks.create({ ...base, id: 't3', nextRunAt: 50, status: 'paused' })
    expect(repos.tasks.due(150).map((t) => t.id)).toEqual(['t2'])
    expect(repos.tasks.nextDueAt()).toBe(100)
    const runId = repos.tasks.startRun('t2', 100)
    repos.tasks.finishRun(runId, 150, 'ok', 'done')
    expect(repos.tasks.runs('t2')[0]).toMatchObject({ status: 'ok', result: 'done', finishedAt: 150 })
    repos.tasks.update('t2', { status: 'paused' })
    expect(repos.tasks.due(1000).map((t) => t.id)).toEqual(['t1'])
  })

  test('runs: start, finish, stale runs closed after a crash', () => {
    const { repos } = testDb()
    repos.runs.start({ id: 'r1', groupFolder: 'a', trigger: 'cli', startedAt: 1 })
    repos.runs.start({ id: 'r2', groupFolder: 'a', trigger: 'message', startedAt: 2 })
    repos.runs.finish('r1', { finishedAt: 5, firstOutputAt: 3, exitCode: 0, status: 'ok', bytesOut: 99 })
    expect(repos.runs.get('r1')).toMatchObject({ status: 'ok', bytesOut: 99, exitCode: 0 })
    expect(repos.runs.running().map((r) => r.id)).toEqual(['r2'])
    expect(repos.runs.closeStale(10)).toBe(1)
    expect(repos.runs.get('r2')).toMatchObject({ status: 'error', finishedAt: 10 })
  })

  test('meta getOrCreate keeps the first value', () => {
    const { repos } = testDb()
    const id = repos.meta.getOrCreate('install_id', () => 'abc')
    expect(repos.meta.getOrCreate('install_id', () => 'xyz')).toBe(id)
  })
})
