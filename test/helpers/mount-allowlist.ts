import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Writes the mount allowlist ngb reads under `home` (~/.config/nanogridbot/mount-allowlist.json):
 * ~/projects is allowed read-write, nothing is blocked by pattern, non-main groups get read-only.
 */
export function writeProjectsAllowlist(home: string): void {
  mkdirSync(join(home, '.config', 'nanogridbot'), { recursive: true })
  writeFileSync(
    join(home, '.config', 'nanogridbot', 'mount-allowlist.json'),
    JSON.stringify({
      allowedRoots: [{ path: '~/projects', allowReadWrite: true }],
      blockedPatterns: [],
      nonMainReadOnly: true,
    }),
  )
}
