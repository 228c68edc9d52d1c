import type { Database } from 'bun:sqlite'

export interface PluginStateRepo {
  get(plugin: string, key: string): string | undefined
  set(plugin: string, key: string, value: string, now: number): void
  all(plugin: string): Record<string, string>
  delete(plugin: string, key: string): void
}

export function createPluginStateRepo(db: Database): PluginStateRepo {
  return {
    get: (plugin, key) =>
      db
        .query<{ value: string }, [string, string]>(
          'SELECT value FROM plugin_state WHERE plugin = ? AND key = ?',
        )
        .get(plugin, key)?.value,
    set(plugin, key, value, now) {
      db.run(
        `INSERT INTO plugin_state (plugin, key, value, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        [plugin, key, value, now],
      )
    },
    delete(plugin, key) {
      db.run('DELETE FROM plugin_state WHERE plugin = ? AND key = ?', [plugin, key])
    },
    all: (plugin) =>
      Object.fromEntries(
        db
          .query<{ key: string; value: string }, [string]>(
            'SELECT key, value FROM plugin_state WHERE plugin = ?',
          )
          .all(plugin)
          .map((r) => [r.key, r.value]),
      ),
  }
}
