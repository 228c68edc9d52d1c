import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { openDatabase } from '../../../src/db/open.ts'
import { createRepos } from '../../../src/db/repos/index.ts'
import { runNgb } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/temp.ts'

test('ngb session reset <group> clears the stored session; a second reset says there was none', async () => {
  const dataDir = tempDir()
  const db = openDatabase(join(dataDir, 'ngb.db'))
  const repos = createRepos(db)
  repos.groups.create({ folder: 'team', name: 'team', isMain: true, triggerMode: 'always' }, 1)
  repos.sessions.set('team', 'stale-session-id', 1)
  db.close()
  const env = { NGB_DATA_DIR: dataDir }
  const first = await runNgb(['session', 'reset', 'team'], { env })
  expect(first.stderr).toBe('')
  expect(first.code).toBe(0)
  expect(first.stdout).toContain('team')
  const check = openDatabase(join(dataDir, 'ngb.db'))
  expect(createRepos(check).sessions.get('team')).toBeUndefined()
  check.close()
  const second = await runNgb(['session', 'reset', 'team'], { env })
  expect(second.code).toBe(0)
  expect(second.stdout).toContain('no stored session')
})
