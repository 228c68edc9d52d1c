import { describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../../src/core/errors.ts'
import type { NgbEvent } from '../../src/core/events.ts'
import { createEventBus } from '../../src/core/events.ts'
import { BIND_TOKEN_PATTERN, createGroupsService } from '../../src/core/groups.ts'
import { testDb } from '../helpers/db.ts'
import { tempDir } from '../helpers/temp.ts'

function setup() {
  const { repos } = testDb()
  const bus = createEventBus()
  const events: NgbEvent[] = []
  bus.on('*', (e) => events.push(e))
  let now = 1_000_000
  const clock = { now: () => now }
  const groupsDir = tempDir('ngb-groups-')
  const groups = createGroupsService({ repos, bus, clock, groupsDir })
  return { repos, groups, events, groupsDir, advance: (ms: number) => (now += ms) }
}

describe('groups service', () => {
  test('the first group is main and answers always; later groups need a mention', () => {
    const { groups, groupsDir, events } = setup()
    const main = groups.createGroup({ folder: 'admin', name: 'Admin' })
    const other = groups.createGroup({ folder: 'team' })
    expect(main.isMain).toBe(true)
    expect(main.triggerMode).toBe('always')
    expect(other.isMain).toBe(false)
    expect(other.triggerMode).toBe('mention')
    expect(other.name).toBe('team')
    expect(readFileSync(join(groupsDir, 'admin', 'CLAUDE.md'), 'utf8')).toContain('# Admin')
    expect(existsSync(join(groupsDir, 'team', 'CLAUDE.md'))).toBe(true)
    expect(events).toContainEqual({ type: 'group.changed', group: 'team', action: 'created' })
  })

  test('rejects bad folders, reserved names, duplicates and invalid patterns', () => {
    const { groups } = setup()
    expect(() => groups.createGroup({ folder: 'Bad Folder' })).toThrow(InvalidInputError)
    expect(() => groups.createGroup({ folder: '-x' })).toThrow(InvalidInputError)
    expect(() => groups.createGroup({ folder: 'global' })).toThrow(InvalidInputError)
    expect(() => groups.createGroup({ folder: 'p', triggerMode: 'pattern' })).toThrow(
      /needs a trigger pattern/,
    )
    expect(() => groups.createGroup({ folder: 'p', triggerMode: 'pattern', triggerPattern: '(' })).toThrow(
      /not a valid regular expression/,
    )
    groups.createGroup({ folder: 'ok', triggerMode: 'pattern', triggerPattern: '^!' })
    expect(() => groups.createGroup({ folder: 'ok' })).toThrow(ConflictError)
    expect(() => groups.updateGroup('ok', { triggerPattern: '[' })).toThrow(InvalidInputError)
    expect(groups.updateGroup('ok', { triggerPattern: '^/ask' }).triggerPattern).toBe('^/ask')
  })

  test('refuses to remove the main group unless forced, and unbinds the chats of a removed group', () => {
    const { groups, repos, events } = setup()
    groups.createGroup({ folder: 'admin' })
    groups.createGroup({ folder: 'team' })
    groups.bind('telegram:group:42', 'team')
    expect(() => groups.removeGroup('admin')).toThrow(ForbiddenError)
    groups.removeGroup('team')
    expect(groups.get('team')).toBeUndefined()
    expect(repos.chats.bindingOf('telegram:group:42')).toBeUndefined()
    expect(events).toContainEqual({ type: 'chat.unbound', group: 'team', chatJid: 'telegram:group:42' })
    groups.removeGroup('admin', { force: true })
    expect(groups.list()).toEqual([])
    expect(() => groups.removeGroup('nope')).toThrow(NotFoundError)
  })

  test('a chat binds to at most one group; threads bind their chat', () => {
    const { groups, repos } = setup()
    groups.createGroup({ folder: 'a' })
    groups.createGroup({ folder: 'b' })
    groups.bind('slack:channel:C1#1700.1', 'a')
    expect(repos.chats.bindingOf('slack:channel:C1')?.groupFolder).toBe('a')
    expect(groups.groupOfChat('slack:channel:C1#other')?.folder).toBe('a')
    expect(() => groups.bind('slack:channel:C1', 'b')).toThrow(ConflictError)
    groups.bind('slack:channel:C1', 'b', { move: true })
    expect(groups.groupOfChat('slack:channel:C1')?.folder).toBe('b')
    expect(groups.unbind('slack:channel:C1')).toBe(true)
    expect(groups.unbind('slack:channel:C1')).toBe(false)
    expect(groups.groupOfChat('slack:channel:C1')).toBeUndefined()
    expect(() => groups.bind('not a jid', 'a')).toThrow(InvalidInputError)
    expect(() => groups.bind('telegram:1', 'missing')).toThrow(NotFoundError)
  })

  test('web and cli chats bind themselves to the group named by their id', () => {
    const { groups, events } = setup()
    groups.createGroup({ folder: 'main' })
    expect(groups.groupOfChat('web:main')?.folder).toBe('main')
    expect(groups.groupOfChat('cli:main')?.folder).toBe('main')
    expect(groups.groupOfChat('web:unknown')).toBeUndefined()
    expect(groups.groupOfChat('telegram:main')).toBeUndefined()
    expect(events).toContainEqual({ type: 'chat.bound', group: 'main', chatJid: 'web:main' })
  })

  test('bind tokens: ngb- + 12 hex, single use, expiring', () => {
    const { groups, advance, repos } = setup()
    groups.createGroup({ folder: 'main' })
    groups.createGroup({ folder: 'team' })
    const token = groups.createBindToken('team', 60_000)
    expect(token.token).toMatch(BIND_TOKEN_PATTERN)
    expect(groups.isBindToken(` ${token.token} `)).toBe(true)
    expect(groups.isBindToken('ngb-xyz')).toBe(false)
    repos.chats.upsert({ jid: 'discord:channel:9', platform: 'discord', isGroup: true }, 1)
    expect(groups.listUnboundChats().map((c) => c.jid)).toEqual(['discord:channel:9'])
    const first = groups.redeemToken(token.token, 'discord:channel:9')
    expect(first.ok && first.group.folder).toBe('team')
    expect(groups.listUnboundChats()).toEqual([])
    expect(groups.redeemToken(token.token, 'discord:channel:10')).toEqual({ ok: false, reason: 'used' })
    const late = groups.createBindToken('team', 1000)
    advance(1000)
    expect(groups.redeemToken(late.token, 'discord:channel:10')).toEqual({ ok: false, reason: 'expired' })
    expect(groups.redeemToken('ngb-000000000000', 'x:1')).toEqual({ ok: false, reason: 'unknown' })
    expect(() => groups.createBindToken('missing')).toThrow(NotFoundError)
  })
})
