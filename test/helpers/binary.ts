import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from './cli.ts'

function newestSourceMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMtime(p) : statSync(p).mtimeMs)
  }
  return newest
}

let built: string | undefined

/**
 * The compiled binary for this host, built with `bun build.ts` once per test run and reused while
 * no source under src/ or views/ is newer than it.
 */
export function compiledBinary(): string {
  if (built) return built
  const target = `${process.platform}-${process.arch}`
  const path = join(REPO_ROOT, 'dist', `ngb-${target}`)
  const sources = Math.max(
    newestSourceMtime(join(REPO_ROOT, 'src')),
    existsSync(join(REPO_ROOT, 'views')) ? newestSourceMtime(join(REPO_ROOT, 'views')) : 0,
    // The agent-runner bundle and the Dockerfile are embedded too.
    newestSourceMtime(join(REPO_ROOT, 'container')),
    statSync(join(REPO_ROOT, 'package.json')).mtimeMs,
  )
  if (!existsSync(path) || statSync(path).mtimeMs < sources) {
    const r = Bun.spawnSync([process.execPath, 'build.ts'], {
      cwd: REPO_ROOT,
      stdout: 'pipe',
      stderr: 'pipe',
    })
    if (r.exitCode !== 0) throw new Error(`bun build.ts failed:\n${r.stderr.toString()}`)
  }
  if (!readFileSync(join(REPO_ROOT, 'dist', 'SHA256SUMS'), 'utf8').includes(`ngb-${target}`)) {
    throw new Error('SHA256SUMS does not list the binary')
  }
  built = path
  return path
}
