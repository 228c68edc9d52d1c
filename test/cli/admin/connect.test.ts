import { afterAll, describe, expect, test } from 'bun:test'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { cliTokenPath } from '../../../src/cli/admin/cli-token.ts'
import { connectAdmin } from '../../../src/cli/admin/connect.ts'
import { writeServeFile } from '../../../src/cli/serve-file.ts'
import { openDatabase } from '../../../src/db/open.ts'
import { tempDir } from '../../helpers/temp.ts'

function sha256(s: string) {
  return new Bun.CryptoHasher('sha256').update(s).digest('hex')
}

/** Accepts a bearer only if its sha256 is a live `api_tokens` row, as the web auth does. */
function fakeServer(dataDir: string, opts: { hasApi: boolean }) {
  const auths: string[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(req) {
      const bearer = req.headers.get('authorization')?.slice(7) ?? ''
      auths.push(bearer)
      if (!opts.hasApi) return new Response('NOT_FOUND', { status: 404 })
      const db = openDatabase(join(dataDir, 'ngb.db'))
      const row = db
        .query('SELECT id FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL')
        .get(sha256(bearer))
      db.close()
      if (!row) return Response.json({ error: 'unauthorized', message: 'send an API token' }, { status: 401 })
      return Response.json([])
    },
  })
  writeServeFile(dataDir, {
    pid: process.pid,
    url: `http://127.0.0.1:${server.port}`,
    version: 't',
    startedAt: 1,
  })
  return { server, auths }
}

const config = (dataDir: string) => ({ dataDir, timezone: 'UTC' })
const servers: Array<{ stop(force: boolean): unknown }> = []
afterAll(() => {
  for (const s of servers) s.stop(true)
})

describe('connectAdmin', () => {
  test('no serve.json, or one whose pid is gone: the database', async () => {
    const dataDir = tempDir('ngb-connect-')
    const local = await connectAdmin(config(dataDir), { say: () => {} })
    expect(local.via).toBe(`database ${join(dataDir, 'ngb.db')}`)
    local.close()
    writeServeFile(dataDir, { pid: 2 ** 22 + 12345, url: 'http://127.0.0.1:9', version: 't', startedAt: 1 })
    const stale = await connectAdmin(config(dataDir), { say: () => {} })
    expect(stale.via).toStartWith('database')
    stale.close()
  })

  test('a live server: mints a cli token (0600, hashed in api_tokens) and goes through the API', async () => {
    const dataDir = tempDir('ngb-connect-')
    const { server, auths } = fakeServer(dataDir, { hasApi: true })
    servers.push(server)
    const admin = await connectAdmin(config(dataDir), { say: () => {} })
    expect(admin.via).toBe(`api http://127.0.0.1:${server.port}`)
    const token = readFileSync(cliTokenPath(dataDir), 'utf8').trim()
    expect(token).toMatch(/^ngb_[A-Za-z0-9_-]{32}$/)
    expect(statSync(cliTokenPath(dataDir)).mode & 0o777).toBe(0o600)
    expect(auths).toEqual([token])
    expect(await admin.listTasks({})).toEqual([])

    // Revoked in the dashboard: the next command mints a fresh token once and carries on.
    const db = openDatabase(join(dataDir, 'ngb.db'))
    db.run('UPDATE api_tokens SET revoked_at = 1')
    db.close()
    const again = await connectAdmin(config(dataDir), { say: () => {} })
    expect(again.via).toStartWith('api')
    const renewed = readFileSync(cliTokenPath(dataDir), 'utf8').trim()
    expect(renewed).not.toBe(token)
    expect(auths.slice(-2)).toEqual([token, renewed])
  })

  test('a live server without the admin API: the database, with a note saying so', async () => {
    const dataDir = tempDir('ngb-connect-')
    const { server } = fakeServer(dataDir, { hasApi: false })
    servers.push(server)
    const notes: string[] = []
    const admin = await connectAdmin(config(dataDir), { say: (l) => notes.push(l) })
    expect(admin.via).toStartWith('database')
    expect(notes).toEqual([
      `note: ngb serve (pid ${process.pid}) has no admin API; using the database directly`,
    ])
    admin.close()
  })
})
