import { expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { readServeFile } from '../../../src/cli/serve-file.ts'
import { runNgb } from '../../helpers/cli.ts'
import { spawnNgb } from '../../helpers/spawn-ngb.ts'
import { tempDir } from '../../helpers/temp.ts'
import { waitFor } from '../../helpers/wait.ts'

test('serve announces itself in serve.json (pid, url) while it runs, and admin commands find it', async () => {
  const dataDir = tempDir('ngb-serve-file-')
  const serve = spawnNgb(['serve', '--port', '0', '--data-dir', dataDir], {
    env: { NGB_ADMIN_PASSWORD: 'test-admin-password' },
  })
  try {
    const info = await waitFor(() => readServeFile(dataDir), 'serve.json', 15_000)
    expect(info.pid).toBe(serve.proc.pid)
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect((await fetch(`${info.url}/api/health`)).status).toBe(200)

    const add = await runNgb(['groups', 'add', 'main', '--data-dir', dataDir])
    expect(add.code).toBe(0)
    // Until the server has the admin API the CLI says it falls back; either way the group exists.
    if (add.stderr.includes('has no admin API')) expect(add.stderr).toContain(`pid ${info.pid}`)
    const ls = JSON.parse((await runNgb(['groups', 'ls', '--json', '--data-dir', dataDir])).stdout)
    expect(ls.map((g: { folder: string }) => g.folder)).toEqual(['main'])
  } finally {
    serve.proc.kill('SIGTERM')
  }
  expect(await serve.exited).toBe(0)
  expect(existsSync(join(dataDir, 'serve.json'))).toBe(false)
})
