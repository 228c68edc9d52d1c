import type { Database } from 'bun:sqlite'

export interface SessionRecord {
  groupFolder: string
  scope: string
  sessionId: string
  updatedAt: number
}

export interface SessionsRepo {
  get(groupFolder: string, scope?: string): string | undefined
  set(groupFolder: string, sessionId: string, now: number, scope?: string): void
  clear(groupFolder: string, scope?: string): boolean
  list(): SessionRecord[]
}

/** The agent's resumable session per group ('group' scope) and per isolated task run ('task:<id>'). */
export function createSessionsRepo(db: Database): SessionsRepo {
  const getQ = db.query<{ session_id: string }, [string, string]>(
    'SELECT session_id FROM sessions WHERE group_folder = ? AND scope = ?',
  )
  const setQ = db.query(
    `INSERT INTO sessions (group_folder, scope, session_id, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (group_folder, scope) DO UPDATE SET session_id = excluded.session_id, updated_at = excluded.updated_at`,
  )
  return {
    get: (folder, scope = 'group') => getQ.get(folder, scope)?.session_id,
    set(folder, sessionId, now, scope = 'group') {
      setQ.run(folder, scope, sessionId, now)
    },
    clear: (folder, scope = 'group') =>
      db.run('DELETE FROM sessions WHERE group_folder = ? AND scope = ?', [folder, scope]).changes > 0,
    list: () =>
      db
        .query<{ group_folder: string; scope: string; session_id: string; updated_at: number }, []>(
          'SELECT * FROM sessions ORDER BY updated_at DESC',
        )
        .all()
        .map((r) => ({
          groupFolder: r.group_folder,
          scope: r.scope,
          sessionId: r.session_id,
          updatedAt: r.updated_at,
        })),
  }
}
