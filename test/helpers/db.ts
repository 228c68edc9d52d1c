import type { Database } from 'bun:sqlite'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/open.ts'
import { createRepos } from '../../src/db/repos/index.ts'
import { tempDir } from './temp.ts'

/** A real, migrated SQLite file in a temp dir. */
export function testDb(): { db: Database; repos: ReturnType<typeof createRepos>; path: string } {
  const path = join(tempDir('ngb-db-'), 'ngb.db')
  const db = openDatabase(path)
  return { db, repos: createRepos(db), path }
}
