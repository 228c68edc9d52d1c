import type { Database } from 'bun:sqlite'

export interface BindToken {
  token: string
  groupFolder: string
  createdAt: number
  expiresAt: number
  usedAt?: number
  usedByJid?: string
}

export type RedeemResult =
  | { ok: true; groupFolder: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' }

export interface BindTokensRepo {
  create(token: string, groupFolder: string, now: number, ttlMs: number): BindToken
  /** Marks the token used by `jid` if it is valid; single use, checked and spent in one transaction. */
  redeem(token: string, jid: string, now: number): RedeemResult
  listActive(now: number): BindToken[]
}

interface Row {
  token: string
  group_folder: string
  created_at: number
  expires_at: number
  used_at: number | null
  used_by_jid: string | null
}

const toToken = (r: Row): BindToken => ({
  token: r.token,
  groupFolder: r.group_folder,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at ?? undefined,
  usedByJid: r.used_by_jid ?? undefined,
})

export function createBindTokensRepo(db: Database): BindTokensRepo {
  const getQ = db.query<Row, [string]>('SELECT * FROM bind_tokens WHERE token = ?')
  return {
    create(token, groupFolder, now, ttlMs) {
      db.run('INSERT INTO bind_tokens (token, group_folder, created_at, expires_at) VALUES (?, ?, ?, ?)', [
        token,
        groupFolder,
        now,
        now + ttlMs,
      ])
      return { token, groupFolder, createdAt: now, expiresAt: now + ttlMs }
    },
    redeem(token, jid, now) {
      return db
        .transaction((): RedeemResult => {
          const row = getQ.get(token)
          if (!row) return { ok: false, reason: 'unknown' }
          if (row.used_at !== null) return { ok: false, reason: 'used' }
          if (row.expires_at <= now) return { ok: false, reason: 'expired' }
          db.run('UPDATE bind_tokens SET used_at = ?, used_by_jid = ? WHERE token = ?', [now, jid, token])
          return { ok: true, groupFolder: row.group_folder }
        })
        .immediate()
    },
    listActive: (now) =>
      db
        .query<Row, [number]>(
          'SELECT * FROM bind_tokens WHERE used_at IS NULL AND expires_at > ? ORDER BY created_at',
        )
        .all(now)
        .map(toToken),
  }
}
