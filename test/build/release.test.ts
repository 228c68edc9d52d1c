import { beforeAll, describe, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { listing, releaseBuild } from '../helpers/release-build.ts'
import { spawnNgb } from '../helpers/spawn-ngb.ts'
import { tempDir } from '../helpers/temp.ts'
import { waitFor } from '../helpers/wait.ts'

const BINARIES = [
  'ngb-darwin-arm64',
  'ngb-darwin-x64',
  'ngb-linux-arm64',
  'ngb-linux-x64',
  'ngb-windows-x64.exe',
]
const QEMU = Bun.which('qemu-aarch64')
const ARM64_SYSROOT = '/usr/aarch64-linux-gnu'

/** What the first bytes of an executable say about its format and processor. */
function executableKind(path: string): string {
  const b = readFileSync(path).subarray(0, 4096)
  const u16 = (at: number) => b.readUInt16LE(at)
  const u32 = (at: number) => b.readUInt32LE(at)
  if (b[0] === 0x7f && b.subarray(1, 4).toString() === 'ELF') {
    const machine = u16(18)
    return `elf-${machine === 0x3e ? 'x64' : machine === 0xb7 ? 'arm64' : machine.toString(16)}`
  }
  if (u32(0) === 0xfeedfacf) {
    const cpu = u32(4)
    return `macho-${cpu === 0x01000007 ? 'x64' : cpu === 0x0100000c ? 'arm64' : cpu.toString(16)}`
  }
  if (b.subarray(0, 2).toString() === 'MZ') {
    const pe = u32(0x3c)
    if (b.subarray(pe, pe + 4).toString('latin1') !== 'PE\0\0') return 'mz-without-pe'
    return `pe-${u16(pe + 4) === 0x8664 ? 'x64' : u16(pe + 4).toString(16)}`
  }
  return 'unknown'
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

describe('bun run build --all', () => {
  // The build itself (~15 s idle, longer on a loaded machine) happens once, here.
  beforeAll(() => {
    releaseBuild({ all: true })
  }, 180_000)

  test('writes exactly the five binaries and SHA256SUMS; source maps apart, checksummed too', () => {
    const dist = releaseBuild({ all: true })
    expect(listing(dist)).toEqual(['SHA256SUMS', ...BINARIES, 'sourcemaps/'].sort())
    const sums = readFileSync(join(dist, 'SHA256SUMS'), 'utf8').trim().split('\n')
    expect(sums.map((l) => l.split(/\s+/)[1])).toEqual(BINARIES)
    for (const line of sums) {
      const [hash, name] = line.split(/\s+/)
      expect(sha256(join(dist, name ?? ''))).toBe(hash ?? '')
    }
    const maps = join(dist, 'sourcemaps')
    expect(listing(maps)).toEqual(['SHA256SUMS', ...BINARIES.map((b) => `${b}.map`)].sort())
    for (const line of readFileSync(join(maps, 'SHA256SUMS'), 'utf8').trim().split('\n')) {
      const [hash, name] = line.split(/\s+/)
      expect(sha256(join(maps, name ?? ''))).toBe(hash ?? '')
    }
  })

  test('each binary has the file format and processor of its name, and a plausible size', () => {
    const dist = releaseBuild({ all: true })
    const kinds = Object.fromEntries(BINARIES.map((b) => [b, executableKind(join(dist, b))]))
    expect(kinds).toEqual({
      'ngb-darwin-arm64': 'macho-arm64',
      'ngb-darwin-x64': 'macho-x64',
      'ngb-linux-arm64': 'elf-arm64',
      'ngb-linux-x64': 'elf-x64',
      'ngb-windows-x64.exe': 'pe-x64',
    })
    for (const b of BINARIES) {
      const mb = statSync(join(dist, b)).size / 1e6
      expect(mb).toBeGreaterThan(40)
      expect(mb).toBeLessThan(250)
    }
  })

  test('the version line carries the commit', async () => {
    const dist = releaseBuild({ all: true })
    const out = Bun.spawnSync([join(dist, 'ngb-linux-x64'), '--version'], {
      stdout: 'pipe',
    }).stdout.toString()
    const commit = Bun.spawnSync(['git', 'rev-parse', '--short=12', 'HEAD'], { stdout: 'pipe' })
      .stdout.toString()
      .trim()
    expect(out).toStartWith(`ngb ${(await Bun.file('package.json').json()).version} (${commit}) bun `)
  })
})

describe.skipIf(!QEMU && !process.env.CI)('linux-arm64 under QEMU user emulation', () => {
  const arm = (args: string[], env: Record<string, string> = {}) =>
    Bun.spawnSync(
      [
        QEMU ?? 'qemu-aarch64',
        '-L',
        ARM64_SYSROOT,
        join(releaseBuild({ all: true }), 'ngb-linux-arm64'),
        ...args,
      ],
      {
        stdout: 'pipe',
        stderr: 'pipe',
        env: { PATH: process.env.PATH ?? '', HOME: tempDir(), NGB_DATA_DIR: tempDir(), ...env },
      },
    )

  test('--version and config show run', () => {
    const version = arm(['--version'])
    expect(version.exitCode).toBe(0)
    expect(version.stdout.toString()).toMatch(/^ngb \d+\.\d+\.\d+ \(\w+\) bun /)
    const config = arm(['config', 'show', '--json'])
    expect(config.exitCode).toBe(0)
    const rows = JSON.parse(config.stdout.toString()) as Array<{ env: string }>
    expect(rows.map((r) => r.env)).toContain('NGB_WEB_PORT')
  })

  test('serve answers /api/health', async () => {
    const probe = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
    const port = probe.port ?? 0
    await probe.stop(true)
    const live = spawnNgb(
      [
        '-L',
        ARM64_SYSROOT,
        join(releaseBuild({ all: true }), 'ngb-linux-arm64'),
        'serve',
        '--port',
        String(port),
      ],
      {
        binary: QEMU ?? 'qemu-aarch64',
        env: {
          NGB_DATA_DIR: tempDir(),
          HOME: tempDir(),
          NGB_ADMIN_PASSWORD: 'qemu-admin-password',
          NGB_CONTAINER_CLI: 'false',
        },
      },
    )
    try {
      const res = await waitFor(
        async () => {
          try {
            const r = await fetch(`http://127.0.0.1:${port}/api/health`)
            return r.ok ? r : undefined
          } catch {
            return undefined
          }
        },
        `the arm64 serve to answer on port ${port}`,
        45_000,
        50,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; its stderr: ${live.stderr().slice(-400)}`)
      })
      expect(((await res.json()) as { status: string }).status).toBe('ok')
    } finally {
      live.proc.kill('SIGTERM')
      await live.exited
    }
  })
})
