import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runNgb } from '../../helpers/cli.ts'
import { releaseBuild } from '../../helpers/release-build.ts'
import { tempDir } from '../../helpers/temp.ts'

const TARGET = `ngb-${process.platform}-${process.arch}`

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

function versionOf(binary: string): string {
  const out = Bun.spawnSync([binary, '--version'], { stdout: 'pipe' }).stdout.toString()
  return /^ngb (\S+) /.exec(out)?.[1] ?? `unparsable: ${out}`
}

describe('ngb upgrade between two locally built versions', () => {
  let v1 = ''
  let v2 = ''
  let server: ReturnType<typeof Bun.serve> | undefined
  const served: string[] = []
  const home = tempDir('ngb-upgrade-home-')
  const env = () => ({
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    NGB_DATA_DIR: join(home, 'data'),
  })

  beforeAll(() => {
    v1 = releaseBuild({ version: '0.0.1' })
    v2 = releaseBuild({ version: '0.0.2' })
    server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch(req) {
        const path = new URL(req.url).pathname
        served.push(path)
        const m = /^\/releases\/download\/v0\.0\.2\/([^/]+)$/.exec(path)
        const file = m && join(v2, m[1] ?? '')
        return file && existsSync(file) ? new Response(Bun.file(file)) : new Response('no', { status: 404 })
      },
    })
  }, 180_000)
  afterAll(() => server?.stop(true))

  /** v1 installed as <tmp>/bin/ngb. */
  function installV1(): string {
    const bin = join(tempDir('ngb-upgrade-'), 'bin')
    mkdirSync(bin)
    copyFileSync(join(v1, TARGET), join(bin, 'ngb'))
    return join(bin, 'ngb')
  }

  test('--from a release directory swaps in v2, keeps v1, and --rollback goes back (and forth)', async () => {
    const ngb = installV1()
    const up = await runNgb(['upgrade', '--from', v2], { binary: ngb, env: env() })
    expect(up.stderr).toContain(`fetching ${TARGET} from ${v2}`)
    expect(up.code).toBe(0)
    expect(up.stdout).toContain('0.0.1 → 0.0.2')
    expect(versionOf(ngb)).toBe('0.0.2')
    expect(versionOf(`${ngb}.previous`)).toBe('0.0.1')
    expect(sha(ngb)).toBe(sha(join(v2, TARGET)))

    const back = await runNgb(['upgrade', '--rollback'], { binary: ngb, env: env() })
    expect(back.code).toBe(0)
    expect(back.stdout).toContain('0.0.2 → 0.0.1')
    expect(versionOf(ngb)).toBe('0.0.1')
    expect(versionOf(`${ngb}.previous`)).toBe('0.0.2')
  })

  test('--check reports the available version and changes nothing', async () => {
    const ngb = installV1()
    const before = sha(ngb)
    const r = await runNgb(['upgrade', '--check', '--from', v2, '--json'], { binary: ngb, env: env() })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ current: '0.0.1', available: '0.0.2', newer: true })
    expect(sha(ngb)).toBe(before)
    expect(existsSync(`${ngb}.previous`)).toBe(false)
  })

  test('--to over HTTP takes <base>/download/v<version>/', async () => {
    const ngb = installV1()
    const base = `http://127.0.0.1:${server?.port}/releases`
    const r = await runNgb(['upgrade', '--base', base, '--to', '0.0.2'], { binary: ngb, env: env() })
    expect(r.code).toBe(0)
    expect(served).toContain(`/releases/download/v0.0.2/${TARGET}`)
    expect(versionOf(ngb)).toBe('0.0.2')
  })

  test('a corrupted download, a binary that fails its smoke run, or the wrong version leave v1 untouched', async () => {
    const ngb = installV1()
    const before = sha(ngb)

    const corrupt = tempDir('ngb-corrupt-')
    copyFileSync(join(v2, 'SHA256SUMS'), join(corrupt, 'SHA256SUMS'))
    const bytes = readFileSync(join(v2, TARGET))
    bytes[bytes.length - 64] = (bytes[bytes.length - 64] ?? 0) ^ 0xff
    writeFileSync(join(corrupt, TARGET), bytes)
    const a = await runNgb(['upgrade', '--from', corrupt], { binary: ngb, env: env() })
    expect(a.code).toBe(1)
    expect(a.stderr).toContain(`checksum mismatch for ${TARGET}`)

    // Checksums match, but the "binary" exits 1: the smoke run must stop the swap.
    const broken = tempDir('ngb-broken-')
    const script = '#!/bin/sh\nexit 1\n'
    writeFileSync(join(broken, TARGET), script, { mode: 0o755 })
    writeFileSync(
      join(broken, 'SHA256SUMS'),
      `${createHash('sha256').update(script).digest('hex')}  ${TARGET}\n`,
    )
    const b = await runNgb(['upgrade', '--from', broken], { binary: ngb, env: env() })
    expect(b.code).toBe(1)
    expect(b.stderr).toContain('failed its smoke run')

    const c = await runNgb(['upgrade', '--from', v2, '--to', '0.0.3'], { binary: ngb, env: env() })
    expect(c.code).toBe(1)
    expect(c.stderr).toContain('asked for 0.0.3 but the release holds 0.0.2')

    expect(sha(ngb)).toBe(before)
    expect(existsSync(`${ngb}.previous`)).toBe(false)
  })

  test('an installed user service is restarted, or the user is told it could not be', async () => {
    const ngb = installV1()
    const unit = join(home, '.config', 'systemd', 'user', 'ngb.service')
    mkdirSync(join(unit, '..'), { recursive: true })
    writeFileSync(unit, '[Service]\n')
    const r = await runNgb(['upgrade', '--from', v2], { binary: ngb, env: env() })
    expect(r.code).toBe(0)
    if (existsSync('/run/systemd/system')) expect(r.stderr).toMatch(/restart(ed)? the user service/)
    else expect(r.stderr).toContain('the user service is installed but its manager is not running')
  })

  test('from source it refuses: there is no installed binary to replace', async () => {
    const r = await runNgb(['upgrade', '--from', v2], { env: env() })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('runs from source')
  })

  test('--rollback with nothing to roll back to says so', async () => {
    const ngb = installV1()
    const r = await runNgb(['upgrade', '--rollback'], { binary: ngb, env: env() })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('no previous binary to roll back to')
  })
})
