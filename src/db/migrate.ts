import type { Database } from 'bun:sqlite'
import { DbError } from '../core/errors.ts'

export interface Migration {
  version: number
  name: string
  sql: string
}

export interface MigrateOptions {
  apply: boolean
  path: string
}

export function currentVersion(db: Database): number {
  db.run(`CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`)
  const row = db.query<{ v: number | null }, []>('SELECT max(version) AS v FROM schema_version').get()
  return row?.v ?? 0
}

/**
 * Applies every migration newer than the recorded version, each in its own IMMEDIATE transaction
 * (DDL is transactional in SQLite, so a failing step leaves the previous version intact).
 */
export function migrate(db: Database, migrations: readonly Migration[], opts: MigrateOptions): number {
  const latest = migrations.at(-1)?.version ?? 0
  const current = currentVersion(db)
  if (current > latest) {
    throw new DbError(
      `database ${opts.path} has schema version ${current}, but this ngb knows only up to ${latest}: ` +
        'it was written by a newer ngb. Upgrade ngb, or point NGB_DATA_DIR at another directory.',
    )
  }
  if (!opts.apply) return current
  for (const m of migrations) {
    if (m.version <= current) continue
    try {
      db.transaction(() => {
        db.run(m.sql)
        db.run('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)', [
          m.version,
          m.name,
          Date.now(),
        ])
      }).immediate()
    } catch (error) {
      throw new DbError(
        `migration ${m.version} (${m.name}) failed on ${opts.path}: ${error instanceof Error ? error.message : error}`,
        { cause: error },
      )
    }
  }
  return latest
}
