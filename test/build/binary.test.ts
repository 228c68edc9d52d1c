import { describe, expect, test } from 'bun:test'
import { compiledBinary } from '../helpers/binary.ts'
import { runNgb } from '../helpers/cli.ts'
import { tempDir } from '../helpers/temp.ts'

describe('the compiled binary', () => {
  test('runs --version, config show and doctor from an empty directory', async () => {
    const binary = compiledBinary()
    const cwd = tempDir('ngb-empty-')
    const env = { NGB_DATA_DIR: tempDir(), HOME: tempDir(), PATH: process.env.PATH }
    const version = await runNgb(['--version'], { binary, cwd, env })
    expect(version.code).toBe(0)
    expect(version.stdout).toMatch(/^ngb \d+\.\d+\.\d+ \(\w+\) bun /)
    const config = await runNgb(['config', 'show', '--json'], { binary, cwd, env })
    expect(config.code).toBe(0)
    expect(JSON.parse(config.stdout).length).toBeGreaterThan(20)
    const doctor = await runNgb(['doctor', '--json'], {
      binary,
      cwd,
      env: { ...env, NGB_AGENT_PROVIDER: 'mock' },
    })
    const checks = JSON.parse(doctor.stdout) as Array<{ name: string }>
    expect(checks.map((c) => c.name)).toContain('container engine')
  })

  test('does not load a .env from the working directory', async () => {
    const binary = compiledBinary()
    const cwd = tempDir('ngb-dotenv-')
    await Bun.write(`${cwd}/.env`, 'NGB_WEB_PORT=1234\n')
    const r = await runNgb(['config', 'show', '--json'], {
      binary,
      cwd,
      env: { NGB_DATA_DIR: tempDir(), HOME: tempDir(), PATH: process.env.PATH },
    })
    const rows = JSON.parse(r.stdout) as Array<{ env: string; value: string }>
    expect(rows.find((x) => x.env === 'NGB_WEB_PORT')?.value).toBe('8080')
  })
})
