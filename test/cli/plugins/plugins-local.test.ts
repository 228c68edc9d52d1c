import { describe, expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runNgb } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/temp.ts'

/** `ngb plugins` without a running serve: the switches go to the database, files are read from the folder. */
describe('ngb plugins (no server running)', () => {
  const root = tempDir('ngb-plugins-cli-')
  const env = { NGB_DATA_DIR: join(root, 'data'), HOME: root, XDG_CONFIG_HOME: join(root, '.config') }
  mkdirSync(join(root, 'data', 'plugins'), { recursive: true })
  writeFileSync(
    join(root, 'data', 'plugins', 'hello.ts'),
    "export default { name: 'hello', version: '0.1.0', onMessage: () => undefined }",
  )

  test('ls lists the built-ins (off) and the plugin file (on); enable/disable are kept', async () => {
    const ls = await runNgb(['plugins', 'ls', '--json'], { env })
    expect(ls.code).toBe(0)
    const rows = JSON.parse(ls.stdout) as Array<{ name: string; enabled: boolean; source: string }>
    expect(rows.map((r) => [r.name, r.source, r.enabled])).toEqual([
      ['mention', 'builtin', false],
      ['rate-limiter', 'builtin', false],
      ['auto-reply', 'builtin', false],
      ['hello', 'file', true],
    ])
    const on = await runNgb(['plugins', 'enable', 'rate-limiter'], { env })
    expect(on.stdout).toContain('rate-limiter enabled')
    expect((await runNgb(['plugins', 'disable', 'hello'], { env })).code).toBe(0)
    const table = (await runNgb(['plugins', 'ls'], { env })).stdout
    expect(table).toMatch(/rate-limiter\s+builtin\s+running/)
    expect(table).toMatch(/hello\s+file hello\.ts\s+disabled/)
  })

  test('an unknown name is one clear line and a non-zero exit', async () => {
    const r = await runNgb(['plugins', 'enable', 'nosuch'], { env })
    expect(r.code).not.toBe(0)
    expect(r.stderr.trim()).toBe('ngb: plugin "nosuch" does not exist; see `ngb plugins ls`')
  })
})
