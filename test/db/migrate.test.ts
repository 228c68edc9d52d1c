import { Database } from 'bun:sqlite'
import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { DbError } from '../../src/core/errors.ts'
import { currentVersion, migrate } from '../../src/db/migrate.ts'
import { MIGRATIONS } from '../../src/db/migrations/index.ts'
import { openDatabase } from '../../src/db/open.ts'
import { tempDir } from '../helpers/temp.ts'

const latest = MIGRATIONS.at(-1)?.version ?? 0

describe('migrations', () => {
  test('a new database gets every table, WAL and foreign keys', () => {
    const path = join(tempDir(), 'ngb.db')
    const db = openDatabase(path)
    const tables = db
      .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => r.name)
    for (const t of [
      'groups',
      'chats',
      'bindings',
      'bind_tokens',
      'messages',
      'sessions',
      'cursors',
      'tasks',
      'task_runs',
      'runs',
      'plugin_state',
      'users',
      'api_tokens',
      'schema_version',
    ]) {
      expect(tables).toContain(t)
    }
    expect(db.query<{ journal_mode: string }, []>('PRAGMA journal_mode').get()?.journal_mode).toBe('wal')
    expect(db.query<{ foreign_keys: number }, []>('PRAGMA foreign_keys').get()?.foreign_keys).toBe(1)
    expect(currentVersion(db)).toBe(latest)
    db.close()
  })

  test('opening again is a no-op (idempotent)', () => {
    const path = join(tempDir(), 'ngb.db')
    openDatabase(path).close()
    const db = openDatabase(path)
    expect(db.query<{ n: number }, []>('SELECT count(*) AS n FROM schema_version').get()?.n).toBe(
      MIGRATIONS.length,
    )
    db.close()
  })

  test('a failing migration rolls back and names itself', () => {
    const db = new Database(':memory:')
    const broken = [
      { version: 1, name: 'ok', sql: 'CREATE TABLE a (x INTEGER)' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE b (x INTEGER); INSERT INTO missing VALUES (1)' },
    ]
    expect(() => migrate(db, broken, { apply: true, path: 'mem' })).toThrow(/migration 2 \(broken\) failed/)
    expect(currentVersion(db)).toBe(1)
    expect(db.query("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeNull()
  })

  test('a database from a newer ngb is refused with a clear message', () => {
    const path = join(tempDir(), 'ngb.db')
    const db = openDatabase(path)
    db.run('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)', [
      latest + 1,
      'future',
      0,
    ])
    db.close()
    let error: unknown
    try {
      openDatabase(path)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DbError)
    expect((error as Error).message).toMatch(
      /schema version \d+, but this ngb knows only up to \d+.*Upgrade ngb/,
    )
  })

  test('an unopenable path fails with the path in the message', () => {
    expect(() => openDatabase('/proc/definitely/not/here/ngb.db')).toThrow(/\/proc\/definitely\/not\/here/)
  })

  test('strict tables reject wrong types and foreign keys hold', () => {
    const db = openDatabase(join(tempDir(), 'ngb.db'))
    expect(() =>
      db.run(
        "INSERT INTO groups (folder, name, trigger_mode, created_at) VALUES ('a', 'A', 'always', 'yesterday')",
      ),
    ).toThrow(/cannot store TEXT value in INTEGER column/)
    expect(() =>
      db.run("INSERT INTO bindings (chat_jid, group_folder, created_at) VALUES ('x:1', 'nope', 1)"),
    ).toThrow(/FOREIGN KEY/)
    db.close()
  })
})
