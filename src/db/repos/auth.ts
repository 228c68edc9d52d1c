import type { Database } from 'bun:sqlite'

export interface User {
  id: number
  username: string
  passwordHash: string
  createdAt: number
}

export interface WebSession {
  idHash: string
  userId: number
  createdAt: number
  expiresAt: number
}

export interface ApiToken {
  id: string
  name: string
  createdAt: number
  lastUsedAt?: number
  revokedAt?: number
}

export interface UsersRepo {
  count(): number
  byUsername(username: string): User | undefined
  get(id: number): User | undefined
  create(username: string, passwordHash: string, now: number): User
  setPassword(id: number, passwordHash: string): void
}

export interface WebSessionsRepo {
  create(s: WebSession): void
  /** The session if it exists and has not expired. */
  find(idHash: string, now: number): WebSession | undefined
  remove(idHash: string): void
  removeExpired(now: number): number
  /** Ends every session of a user (its password changed); returns how many. */
  removeForUser(userId: number): number
}

export interface ApiTokensRepo {
  create(t: { id: string; name: string; tokenHash: string; createdAt: number }): ApiToken
  /** The token if it exists and is not revoked; records the use. */
  use(tokenHash: string, now: number): ApiToken | undefined
  list(): ApiToken[]
  revoke(id: string, now: number): boolean
  /** True while the token exists and is not revoked (no use is recorded). */
  isActive(id: string): boolean
}

interface UserRow {
  id: number
  username: string
  password_hash: string
  created_at: number
}
const toUser = (r: UserRow): User => ({
  id: r.id,
  username: r.username,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
})

export function createUsersRepo(db: Database): UsersRepo {
  return {
    count: () => db.query<{ n: number }, []>('SELECT count(*) AS n FROM users').get()?.n ?? 0,
    byUsername(username) {
      const r = db.query<UserRow, [string]>('SELECT * FROM users WHERE username = ?').get(username)
      return r ? toUser(r) : undefined
    },
    get(id) {
      const r = db.query<UserRow, [number]>('SELECT * FROM users WHERE id = ?').get(id)
      return r ? toUser(r) : undefined
    },
    create(username, passwordHash, now) {
      const r = db
        .query<UserRow, [string, string, number]>(
          'INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?) RETURNING *',
        )
        .get(username, passwordHash, now)
      if (!r) throw new Error('users insert returned no row')
      return toUser(r)
    },
    setPassword(id, passwordHash) {
      db.run('UPDATE users SET password_hash = ? WHERE id = ?', [passwordHash, id])
    },
  }
}

interface SessionRow {
  id_hash: string
  user_id: number
  created_at: number
  expires_at: number
}

export function createWebSessionsRepo(db: Database): WebSessionsRepo {
  const findQ = db.query<SessionRow, [string, number]>(
    'SELECT * FROM web_sessions WHERE id_hash = ? AND expires_at > ?',
  )
  return {
    create(s) {
      db.run('INSERT INTO web_sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [
        s.idHash,
        s.userId,
        s.createdAt,
        s.expiresAt,
      ])
    },
    find(idHash, now) {
      const r = findQ.get(idHash, now)
      return r
        ? { idHash: r.id_hash, userId: r.user_id, createdAt: r.created_at, expiresAt: r.expires_at }
        : undefined
    },
    remove(idHash) {
      db.run('DELETE FROM web_sessions WHERE id_hash = ?', [idHash])
    },
    removeExpired: (now) => db.run('DELETE FROM web_sessions WHERE expires_at <= ?', [now]).changes,
    removeForUser: (userId) => db.run('DELETE FROM web_sessions WHERE user_id = ?', [userId]).changes,
  }
}

interface TokenRow {
  id: string
  name: string
  token_hash: string
  created_at: number
  last_used_at: number | null
  revoked_at: number | null
}
const toToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at ?? undefined,
  revokedAt: r.revoked_at ?? undefined,
})

export function createApiTokensRepo(db: Database): ApiTokensRepo {
  const byHash = db.query<TokenRow, [string]>(
    'SELECT * FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL',
  )
  return {
    create(t) {
      db.run('INSERT INTO api_tokens (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)', [
        t.id,
        t.name,
        t.tokenHash,
        t.createdAt,
      ])
      return { id: t.id, name: t.name, createdAt: t.createdAt }
    },
    use(tokenHash, now) {
      const r = byHash.get(tokenHash)
      if (!r) return undefined
      db.run('UPDATE api_tokens SET last_used_at = ? WHERE id = ?', [now, r.id])
      return { ...toToken(r), lastUsedAt: now }
    },
    list: () =>
      db.query<TokenRow, []>('SELECT * FROM api_tokens ORDER BY created_at DESC').all().map(toToken),
    revoke: (id, now) =>
      db.run('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now, id]).changes >
      0,
    isActive: (id) =>
      db
        .query<{ n: number }, [string]>('SELECT 1 AS n FROM api_tokens WHERE id = ? AND revoked_at IS NULL')
        .get(id) !== null,
  }
}
