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

/**
 * The task runtime's group look-ups over a test's repos: a chat's group through its binding. The
 * tests that use it never register a group, so doing so throws.
 */
export function boundGroupsOf(repos: ReturnType<typeof createRepos>) {
  return {
    groupOfChat: (jid: string) => {
      const b = repos.chats.bindingOf(jid)
      return b ? repos.groups.get(b.groupFolder) : undefined
    },
    registerGroup: (): never => {
      throw new Error('not in this test')
    },
  }
}
