import { describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runNgb } from '../helpers/cli.ts'
import { HAS_DOCKER } from '../helpers/docker.ts'
import { tempDir } from '../helpers/temp.ts'

const env = () => ({ NGB_DATA_DIR: tempDir(), HOME: tempDir() })

describe('ngb (from source)', () => {
  test('--version prints version, commit and bun version', async () => {
    const r = await runNgb(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^ngb \d+\.\d+\.\d+ \(\S+\) bun \d+\.\d+\.\d+\n$/)
  })

  test('config show lists every setting with its source and masks secrets', async () => {
    const secret = 'sk-ant-api03-never-print-me'
    const r = await runNgb(['config', 'show', '--json'], {
      env: { ...env(), ANTHROPIC_API_KEY: secret, NGB_WEB_PORT: '9999' },
    })
    expect(r.code).toBe(0)
    const rows = JSON.parse(r.stdout) as Array<{ env: string; value: string; source: string }>
    expect(rows.find((x) => x.env === 'NGB_WEB_PORT')).toMatchObject({ value: '9999', source: 'environment' })
    expect(rows.find((x) => x.env === 'ANTHROPIC_API_KEY')?.value).toBe('********')
    expect(r.stdout + r.stderr).not.toContain(secret)
  })

  test('an invalid setting is one line naming key, source and problem, exit 2', async () => {
    const r = await runNgb(['config', 'show'], { env: { ...env(), NGB_MAX_CONCURRENT: 'lots' } })
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      'ngb: invalid NGB_MAX_CONCURRENT = "lots" from environment: expected a whole number\n',
    )
  })

  test('a bad ngb.toml via --config is reported with its path, exit 2', async () => {
    const dir = tempDir()
    const toml = join(dir, 'ngb.toml')
    writeFileSync(toml, '[container]\nnetwork = "overlay"\n')
    const r = await runNgb(['config', 'show', '--config', toml], { env: env() })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`from ${toml}: expected one of bridge, none, host`)
  })

  test('an unknown command is a usage error, exit 2, with a hint', async () => {
    const r = await runNgb(['frobnicate'], { env: env() })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/hint: run `ngb/)
  })

  test('doctor reports each check and exits 1 when the image is missing', async () => {
    const r = await runNgb(['doctor', '--json'], {
      env: { ...env(), NGB_CONTAINER_IMAGE: 'ngb-no-such-image:never', NGB_AGENT_PROVIDER: 'mock' },
    })
    const checks = JSON.parse(r.stdout) as Array<{ name: string; ok: boolean; hint?: string }>
    expect(checks.find((c) => c.name === 'config')?.ok).toBe(true)
    expect(checks.find((c) => c.name === 'data dir')?.ok).toBe(true)
    expect(checks.find((c) => c.name === 'container engine')?.ok).toBe(HAS_DOCKER)
    if (HAS_DOCKER) expect(checks.find((c) => c.name === 'agent image')?.hint).toContain('ngb image build')
    expect(r.code).toBe(1)
  })

  test('doctor names a missing container CLI with a hint', async () => {
    const r = await runNgb(['doctor'], { env: { ...env(), NGB_CONTAINER_CLI: 'no-such-docker-cli' } })
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/problem container engine: .*\n\s+hint: install Docker/)
  })
})
