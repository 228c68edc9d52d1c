import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DbError } from '../core/errors.ts'
import { migrate } from './migrate.ts'
import { MIGRATIONS } from './migrations/index.ts'

export interface OpenDatabaseOptions {
  /** Skip migrations (read-only tools); the version check still runs. */
  migrate?: boolean
}

/**
 * Opens (creating if needed) the SQLite file with WAL, foreign keys and a busy timeout, because the
 * CLI and the daemon may write the same file. Migrates it to this binary's schema version.
 */
export function openDatabase(path: string, opts: OpenDatabaseOptions = {}): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  let db: Database
  try {
    db = new Database(path, { create: true, strict: true })
  } catch (error) {
    throw new DbError(`cannot open database ${path}: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    })
  }
  try {
    db.run('PRAGMA busy_timeout = 5000')
    db.run('PRAGMA journal_mode = WAL')
    db.run('PRAGMA synchronous = NORMAL')
    db.run('PRAGMA foreign_keys = ON')
    migrate(db, MIGRATIONS, { apply: opts.migrate ?? true, path })
  } catch (error) {
    db.close()
    if (error instanceof DbError) throw error
    throw new DbError(`cannot prepare database ${path}: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    })
  }
  return db
}
