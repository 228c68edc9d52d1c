import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../helpers/cli.ts'
import { releaseBuild } from '../helpers/release-build.ts'
import { tempDir } from '../helpers/temp.ts'

const INSTALL_SH = join(REPO_ROOT, 'install.sh')
const TARGET = `ngb-${process.platform}-${process.arch}`

async function installSh(args: string[], env: Record<string, string> = {}) {
  const home = tempDir('ngb-install-home-')
  const proc = Bun.spawn(['dash', INSTALL_SH, ...args], {
    stdout: 'pipe',
    stderr: 'pipe',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...env },
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { stdout, stderr, code }
}

/** A copy of the release directory whose binary has one byte flipped (SHA256SUMS unchanged). */
function corruptedCopy(dist: string, dir = tempDir('ngb-corrupt-')): string {
  copyFileSync(join(dist, 'SHA256SUMS'), join(dir, 'SHA256SUMS'))
  const bytes = readFileSync(join(dist, TARGET))
  bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff
  writeFileSync(join(dir, TARGET), bytes, { mode: 0o755 })
  return dir
}

describe('install.sh', () => {
  let dist = ''
  let server: ReturnType<typeof Bun.serve> | undefined
  const requested: string[] = []
  /** Serves `dist` at /good/… and the corrupted copy at /bad/…, like a release host. */
  let base = ''
  // Made here, not in beforeAll: a tempDir registered inside a hook is removed when the hook ends.
  const bad = tempDir('ngb-corrupt-')
  beforeAll(() => {
    dist = releaseBuild()
    corruptedCopy(dist, bad)
    server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch(req) {
        const path = new URL(req.url).pathname
        requested.push(path)
        const m = /^\/(good|bad)\/(?:v[^/]+\/)?([^/]+)$/.exec(path)
        const file = m && join(m[1] === 'good' ? dist : bad, m[2] ?? '')
        return file && existsSync(file)
          ? new Response(Bun.file(file))
          : new Response('not found', { status: 404 })
      },
    })
    base = `http://127.0.0.1:${server.port}`
  }, 180_000)
  afterAll(() => server?.stop(true))

  test('is POSIX sh: dash parses it', () => {
    const r = Bun.spawnSync(['dash', '-n', INSTALL_SH], { stderr: 'pipe' })
    expect(r.stderr.toString()).toBe('')
    expect(r.exitCode).toBe(0)
  })

  test('installs from a local directory, verified, and prints the next step', async () => {
    const bin = join(tempDir(), 'bin')
    const r = await installSh(['--base', dist, '--dir', bin])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`installed ngb `)
    expect(r.stdout).toContain('next: ngb init')
    expect(r.stdout).toContain(`${bin} is not on your PATH`)
    const v = Bun.spawnSync([join(bin, 'ngb'), '--version'], { stdout: 'pipe' })
    expect(v.stdout.toString()).toMatch(/^ngb \d+\.\d+\.\d+ /)
    expect(readFileSync(join(bin, 'ngb')).equals(readFileSync(join(dist, TARGET)))).toBe(true)
  })

  test('installs from a release URL served over HTTP, with --version in the path', async () => {
    const bin = join(tempDir(), 'bin')
    const r = await installSh(['--base', `${base}/good`, '--version', '9.9.9', '--dir', bin], {
      PATH: `${bin}:${process.env.PATH}`,
    })
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain('not on your PATH')
    expect(requested).toContain(`/good/v9.9.9/${TARGET}`)
    expect(requested).toContain('/good/v9.9.9/SHA256SUMS')
    expect(existsSync(join(bin, 'ngb'))).toBe(true)
  })

  test('refuses a corrupted download from a directory and from HTTP, installing nothing', async () => {
    const fromDir = join(tempDir(), 'bin')
    const a = await installSh(['--base', corruptedCopy(dist), '--dir', fromDir])
    expect(a.code).toBe(1)
    expect(a.stderr).toContain(`checksum mismatch for ${TARGET}`)
    expect(existsSync(join(fromDir, 'ngb'))).toBe(false)

    const fromHttp = join(tempDir(), 'bin')
    const b = await installSh(['--base', `${base}/bad`, '--dir', fromHttp])
    expect(b.code).toBe(1)
    expect(b.stderr).toContain('checksum mismatch')
    expect(existsSync(join(fromHttp, 'ngb'))).toBe(false)
  })

  test('says clearly when the release is missing or SHA256SUMS lacks this platform', async () => {
    const missing = await installSh(['--base', `${base}/nothing-here`, '--dir', join(tempDir(), 'bin')])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('could not download')

    const noLine = tempDir()
    writeFileSync(join(noLine, 'SHA256SUMS'), `${'0'.repeat(64)}  ngb-plan9-x64\n`)
    copyFileSync(join(dist, TARGET), join(noLine, TARGET))
    const r = await installSh(['--base', noLine, '--dir', join(tempDir(), 'bin')])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`SHA256SUMS has no line for ${TARGET}`)
  })

  test('defaults to ~/.local/bin for a non-root user', async () => {
    // A stand-in `id` makes this run as a non-root user even when the tests run as root, so the
    // test never writes to /usr/local/bin.
    const fakeBin = tempDir('ngb-fake-id-')
    writeFileSync(join(fakeBin, 'id'), '#!/bin/sh\necho 1000\n', { mode: 0o755 })
    const home = tempDir('ngb-install-home-')
    const r = await installSh(['--base', dist], { HOME: home, PATH: `${fakeBin}:${process.env.PATH}` })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`to ${home}/.local/bin/ngb`)
    expect(existsSync(join(home, '.local', 'bin', 'ngb'))).toBe(true)
  })
})
