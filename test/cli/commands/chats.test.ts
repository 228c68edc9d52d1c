import { beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { openDatabase } from '../../../src/db/open.ts'
import { createRepos } from '../../../src/db/repos/index.ts'
import { compiledBinary } from '../../helpers/binary.ts'
import { runNgb } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/temp.ts'

const dataDir = tempDir('ngb-chats-cli-')
const ngb = (args: string[], binary?: string) => runNgb([...args, '--data-dir', dataDir], { binary })
const T = new Date(2026, 10, 25, 14, 5).getTime()

beforeAll(async () => {
  await ngb(['groups', 'add', 'main'])
  const db = openDatabase(join(dataDir, 'ngb.db'))
  const r = createRepos(db)
  r.chats.upsert(
    { jid: 'telegram:group:-1001', platform: 'telegram', name: 'Family', isGroup: true, lastMessageAt: T },
    T,
  )
  r.chats.upsert({ jid: 'discord:dm:42', platform: 'discord', isGroup: false, lastMessageAt: T - 60_000 }, T)
  r.chats.bind('telegram:group:-1001', 'main', T)
  db.close()
})

describe('ngb chats ls', () => {
  test('lists every chat with its group, newest first; --unbound only the unbound; --json', async () => {
    const all = await ngb(['chats', 'ls'])
    expect(all.code).toBe(0)
    expect(all.stdout.trim().split('\n')).toEqual([
      'JID                   NAME    KIND    GROUP  LAST MESSAGE',
      'telegram:group:-1001  Family  group   main   2026-11-25 14:05',
      'discord:dm:42         -       direct  -      2026-11-25 14:04',
    ])
    expect(all.stderr).toContain('ngb groups bind')
    const unbound = JSON.parse((await ngb(['chats', 'ls', '--unbound', '--json'])).stdout) as Array<{
      jid: string
    }>
    expect(unbound.map((c) => c.jid)).toEqual(['discord:dm:42'])
  })

  test('the compiled binary agrees; an unknown option is a usage error', async () => {
    const binary = compiledBinary()
    const r = await ngb(['chats', 'ls', '--json'], binary)
    expect((JSON.parse(r.stdout) as Array<{ groupFolder?: string }>).map((c) => c.groupFolder)).toEqual([
      'main',
      undefined,
    ])
    expect((await ngb(['chats', 'ls', '--unbond'], binary)).code).toBe(2)
  })
})
