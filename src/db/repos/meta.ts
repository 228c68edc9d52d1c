import type { Database } from 'bun:sqlite'

/** Small install-wide facts: the install id, the one-time setup token. */
export interface MetaRepo {
  get(key: string): string | undefined
  set(key: string, value: string): void
  delete(key: string): void
  /** Returns the stored value, creating it with `make()` on first use. */
  getOrCreate(key: string, make: () => string): string
}

export function createMetaRepo(db: Database): MetaRepo {
  const getQ = db.query<{ value: string }, [string]>('SELECT value FROM meta WHERE key = ?')
  const repo: MetaRepo = {
    get: (key) => getQ.get(key)?.value,
    set(key, value) {
      db.run(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [key, value],
      )
    },
    delete(key) {
      db.run('DELETE FROM meta WHERE key = ?', [key])
    },
    getOrCreate(key, make) {
      return db
        .transaction(() => {
          const existing = getQ.get(key)?.value
          if (existing !== undefined) return existing
          const value = make()
          repo.set(key, value)
          return value
        })
        .immediate()
    },
  }
  return repo
}
