import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ASSETS } from '../../src/web/static.ts'
import { compiledBinary } from '../helpers/binary.ts'
import { REPO_ROOT } from '../helpers/cli.ts'
import type { ServeProcess } from './browser/serve.ts'
import { startServe } from './browser/serve.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'ngb-bin-web-'))
let serve: ServeProcess

beforeAll(async () => {
  serve = await startServe(dataDir, { NGB_ADMIN_PASSWORD: 'binary-pass-1' }, { binary: compiledBinary() })
}, 120_000)

afterAll(async () => {
  await serve?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('the compiled binary serves the dashboard', () => {
  test.each([
    [ASSETS.htmx, 'node_modules/htmx.org/dist/htmx.min.js', 'text/javascript'],
    [ASSETS.ws, 'node_modules/htmx.org/dist/ext/hx-ws.min.js', 'text/javascript'],
    [ASSETS.css, 'src/web/static/app.css', 'text/css'],
    [ASSETS.js, 'src/web/static/app.js', 'text/javascript'],
  ])('%s from the embedded files, cacheable', async (path, source, type) => {
    const r = await fetch(`${serve.url}${path}`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toContain(type)
    expect(r.headers.get('cache-control')).toContain('immutable')
    expect((await r.arrayBuffer()).byteLength).toBe(statSync(join(REPO_ROOT, source)).size)
  })

  test('login page, then an authenticated page and the API', async () => {
    expect((await fetch(`${serve.url}/login`)).status).toBe(200)
    const login = await fetch(`${serve.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'binary-pass-1' }),
    })
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? ''
    const page = await fetch(`${serve.url}/`, { headers: { cookie } })
    expect(page.status).toBe(200)
    expect(await page.text()).toContain(ASSETS.htmx)
    expect((await fetch(`${serve.url}/api/groups`, { headers: { cookie } })).status).toBe(200)
    expect((await fetch(`${serve.url}/api/groups`)).status).toBe(401)
  })
})
