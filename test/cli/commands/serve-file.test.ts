import { describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readServeFile } from '../../../src/cli/serve-file.ts'
import { runNgb } from '../../helpers/cli.ts'
import { spawnNgb } from '../../helpers/spawn-ngb.ts'
import { tempDir } from '../../helpers/temp.ts'
import { waitFor } from '../../helpers/wait.ts'

describe('admin commands while ngb serve runs', () => {
  test('serve announces itself in serve.json; groups/tasks/chats go through its API with the same answers', async () => {
    const dataDir = tempDir('ngb-serve-file-')
    const serve = spawnNgb(['serve', '--port', '0', '--data-dir', dataDir], {
      env: { NGB_ADMIN_PASSWORD: 'test-admin-password', NGB_TZ: 'UTC' },
    })
    const ngb = (...args: string[]) =>
      runNgb([...args, '--data-dir', dataDir, '--debug'], { env: { NGB_TZ: 'UTC' } })
    try {
      const info = await waitFor(() => readServeFile(dataDir), 'serve.json', 15_000)
      expect(info.pid).toBe(serve.proc.pid)
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)

      const add = await ngb('groups', 'add', 'main')
      expect(add.code).toBe(0)
      expect(add.stderr).toContain(`(via api ${info.url})`)
      expect(readFileSync(join(dataDir, 'cli-token'), 'utf8')).toMatch(/^ngb_/)
      expect((await ngb('groups', 'add', 'fam')).code).toBe(0)
      const ls = JSON.parse((await ngb('groups', 'ls', '--json')).stdout) as Array<{ folder: string }>
      expect(ls.map((g) => g.folder)).toEqual(['main', 'fam'])

      expect((await ngb('groups', 'add', 'kill')).code).toBe(2)
      expect((await ngb('groups', 'bind', 'ghost', 'telegram:1')).code).toBe(1)
      expect((await ngb('groups', 'bind', 'fam', 'no-jid')).code).toBe(2)
      expect((await ngb('groups', 'token', 'fam')).stdout).toMatch(/^ngb-[0-9a-f]{12}\n$/)

      const task = await ngb('tasks', 'add', 'fam', '--every', '1h', '-p', 'Check', '--json')
      expect(task.code).toBe(0)
      const id = (JSON.parse(task.stdout) as { id: string }).id
      const badCron = await ngb('tasks', 'add', 'fam', '--cron', '99 * * * *', '-p', 'x')
      expect(badCron.code).toBe(2)
      expect(badCron.stderr).toContain('invalid cron "99 * * * *"')
      expect((await ngb('tasks', 'add', 'ghost', '--every', '1h', '-p', 'x')).code).toBe(1)
      expect((await ngb('tasks', 'pause', id)).stdout).toBe(`paused ${id}\n`)
      const listed = JSON.parse((await ngb('tasks', 'ls', '--json')).stdout) as Array<{
        id: string
        status: string
      }>
      expect(listed).toMatchObject([{ id, status: 'paused' }])
      expect((await ngb('tasks', 'rm', id)).code).toBe(0)
      expect((await ngb('tasks', 'pause', id)).code).toBe(1)
      expect(JSON.parse((await ngb('chats', 'ls', '--json')).stdout)).toEqual([])
    } finally {
      serve.proc.kill('SIGTERM')
    }
    expect(await serve.exited).toBe(0)
    expect(existsSync(join(dataDir, 'serve.json'))).toBe(false)
  })
})
