import { expect, test } from 'bun:test'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { serveLockPath } from '../../../src/cli/serve-lock.ts'
import { runNgb } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/temp.ts'

test('ngb run refuses with one line while a serve holds the data dir, before touching the group', async () => {
  const dataDir = tempDir()
  // A live PID (this test process) holding the lock stands for a running serve.
  writeFileSync(serveLockPath(dataDir), JSON.stringify({ pid: process.pid, port: 8123 }))
  const r = await runNgb(['run', '-g', 'team', '-p', 'hello', '--provider', 'mock'], {
    env: { NGB_DATA_DIR: dataDir, NGB_CONTAINER_CLI: '/nonexistent/docker' },
  })
  expect(r.code).toBe(1)
  const lines = r.stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toContain(`ngb serve (pid ${process.pid}, port 8123)`)
  expect(lines[0]).toContain('ngb session team')
  // Nothing was prepared for the group: its IPC folder is serve's alone.
  expect(existsSync(join(dataDir, 'ipc', 'team'))).toBe(false)
})
