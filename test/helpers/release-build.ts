import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from './cli.ts'

const builds = new Map<string, string>()

/**
 * A release directory built by `bun build.ts` into a private temp dir, once per test process for
 * each (targets, version): the release tests share one `--all` build (~15 s) instead of one each.
 */
export function releaseBuild(opts: { all?: boolean; version?: string } = {}): string {
  const key = `${opts.all ? 'all' : 'host'}@${opts.version ?? 'package'}`
  const cached = builds.get(key)
  if (cached && existsSync(cached)) return cached
  // Not tempDir(): its clean-up runs after the calling test, and the build is shared by several.
  const root = mkdtempSync(join(tmpdir(), 'ngb-release-'))
  process.once('exit', () => rmSync(root, { recursive: true, force: true }))
  const outDir = join(root, 'dist')
  const args = [process.execPath, 'build.ts', '--outdir', outDir]
  if (opts.all) args.push('--all')
  if (opts.version) args.push('--version', opts.version)
  const r = Bun.spawnSync(args, { cwd: REPO_ROOT, stdout: 'pipe', stderr: 'pipe' })
  if (r.exitCode !== 0)
    throw new Error(`bun build.ts ${args.slice(2).join(' ')} failed:\n${r.stderr.toString()}`)
  builds.set(key, outDir)
  return outDir
}

/** The files directly in a directory, sorted (sub-directories marked with a trailing /). */
export function listing(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
    .sort()
}
