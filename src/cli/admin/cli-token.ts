import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dataPaths } from '../../config/paths.ts'
import { openDatabase } from '../../db/open.ts'

/**
 * The CLI's credential for the local server's API: an ordinary API token (row in api_tokens, stored
 * as the sha256 hex of the token, as the web auth checks bearer tokens) named `cli`, minted by the
 * CLI itself. Whoever can read the data dir can open the database anyway, so a token file beside
 * it (mode 0600) grants nothing new; the dashboard lists it and can revoke it.
 */
export function cliTokenPath(dataDir: string): string {
  return join(dataDir, 'cli-token')
}

function sha256(text: string): string {
  return new Bun.CryptoHasher('sha256').update(text).digest('hex')
}

export function ensureCliToken(dataDir: string, opts: { renew?: boolean; now?: number } = {}): string {
  const path = cliTokenPath(dataDir)
  if (!opts.renew && existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim()
    if (token) return token
  }
  const token = `ngb_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url')}`
  const db = openDatabase(dataPaths(dataDir).db)
  try {
    const now = opts.now ?? Date.now()
    db.transaction(() => {
      // One live CLI token per data dir: a renewed one replaces the last.
      db.run("UPDATE api_tokens SET revoked_at = ? WHERE name = 'cli' AND revoked_at IS NULL", [now])
      db.run('INSERT INTO api_tokens (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)', [
        crypto.randomUUID().slice(0, 8),
        'cli',
        sha256(token),
        now,
      ])
    }).immediate()
  } finally {
    db.close()
  }
  writeFileSync(`${path}.tmp`, `${token}\n`, { mode: 0o600 })
  renameSync(`${path}.tmp`, path)
  return token
}
