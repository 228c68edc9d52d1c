import { expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase } from '../../../src/db/open.ts'
import { createRepos } from '../../../src/db/repos/index.ts'
import { runNgb } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/temp.ts'

test('ngb groups set --mount (repeatable) saves extra mounts the allowlist accepts and refuses the rest', async () => {
  const home = tempDir('ngb-cli-home-')
  const dataDir = join(home, 'data')
  mkdirSync(join(home, 'projects', 'app'), { recursive: true })
  mkdirSync(join(home, '.config', 'nanogridbot'), { recursive: true })
  writeFileSync(
    join(home, '.config', 'nanogridbot', 'mount-allowlist.json'),
    JSON.stringify({
      allowedRoots: [{ path: '~/projects', allowReadWrite: true }],
      blockedPatterns: [],
      nonMainReadOnly: true,
    }),
  )
  const env = { HOME: home, XDG_CONFIG_HOME: undefined, NGB_DATA_DIR: dataDir }
  const ngb = (...args: string[]) => runNgb(args, { env })
  expect((await ngb('groups', 'add', 'main')).code).toBe(0)
  expect((await ngb('groups', 'add', 'team')).code).toBe(0)

  const refused = await ngb(
    'groups',
    'set',
    'team',
    '--mount',
    '~/projects/app:app',
    '--mount',
    '/etc:etc:ro',
  )
  expect(refused.code).not.toBe(0)
  expect(refused.stderr).toContain('extra mount 2 (/etc)')
  expect(refused.stderr).toContain('not inside any allowed root')
  const dot = await ngb('groups', 'set', 'team', '--mount', '~/projects/app:.')
  expect(dot.stderr).toContain('must not contain "."')

  const ok = await ngb(
    'groups',
    'set',
    'team',
    '--mount',
    '~/projects/app:app:ro',
    '--mount',
    '~/projects/app:code',
  )
  expect(ok.stderr).not.toContain('ngb:')
  expect(ok.code).toBe(0)
  expect(ok.stdout).toContain('~/projects/app:app:ro')
  const db = openDatabase(join(dataDir, 'ngb.db'))
  expect(createRepos(db).groups.get('team')?.settings.extraMounts).toEqual([
    { hostPath: '~/projects/app', containerPath: 'app', readonly: true },
    { hostPath: '~/projects/app', containerPath: 'code', readonly: false },
  ])
  db.close()

  const cleared = await ngb('groups', 'set', 'team', '--clear-mounts')
  expect(cleared.code).toBe(0)
  const again = openDatabase(join(dataDir, 'ngb.db'))
  expect(createRepos(again).groups.get('team')?.settings.extraMounts).toEqual([])
  again.close()
})
