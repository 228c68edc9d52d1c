import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** `[Section] key=value` lines, repeated keys kept in order. */
export function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {}
  let section = ''
  for (const line of text.split('\n')) {
    const head = /^\[(\w+)\]$/.exec(line)
    if (head?.[1]) section = head[1]
    else if (line.includes('=') && !line.startsWith('#')) {
      const i = line.indexOf('=')
      const s = out[section] ?? {}
      out[section] = s
      const key = line.slice(0, i)
      s[key] = [...(s[key] ?? []), line.slice(i + 1)]
    }
  }
  return out
}

export const SYSTEMD_ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p))

/**
 * `systemd-analyze [--user] verify` on a unit text. Warnings (unknown keys, bad paths) do not change
 * its exit code, so the caller checks `output` too. Undefined when systemd-analyze is not installed.
 */
export function verifyUnit(
  text: string,
  dir: string,
  user: boolean,
): { code: number; output: string } | undefined {
  if (!SYSTEMD_ANALYZE) return undefined
  const file = join(dir, 'ngb.service')
  writeFileSync(file, text)
  // The user manager wants a runtime dir even for an offline verify.
  const runtime = join(dir, 'runtime')
  mkdirSync(runtime, { recursive: true, mode: 0o700 })
  const r = Bun.spawnSync([SYSTEMD_ANALYZE, ...(user ? ['--user'] : []), 'verify', file], {
    stdout: 'pipe',
    stderr: 'pipe',
    env: { ...process.env, XDG_RUNTIME_DIR: runtime, SYSTEMD_LOG_COLOR: '0' },
  })
  return { code: r.exitCode, output: `${r.stdout.toString()}${r.stderr.toString()}` }
}
