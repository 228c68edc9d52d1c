import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { join, relative } from 'node:path'
import { REPO_ROOT } from './cli.ts'

const INPUTS = ['src', 'views', 'package.json', 'bun.lock', 'build.ts']

function listFiles(path: string): string[] {
  if (!existsSync(path)) return []
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => listFiles(join(path, e.name)))
}

/** A hash of everything that goes into the binary: a changed source means a rebuild. */
export function sourceHash(): string {
  const h = createHash('sha256')
  for (const file of INPUTS.flatMap((p) => listFiles(join(REPO_ROOT, p)))) {
    h.update(relative(REPO_ROOT, file))
    h.update(readFileSync(file))
  }
  return h.digest('hex').slice(0, 16)
}

let pending: Promise<string> | undefined

/**
 * The release binary for this host (`bun build.ts`, ~2 s), built once per source state and shared by
 * every test file: dist/ngb-<os>-<arch> plus a stamp with the source hash it was built from.
 */
export function compiledNgb(): Promise<string> {
  pending ??= (async () => {
    const target = `${process.platform}-${process.arch}`
    const binary = join(REPO_ROOT, 'dist', `ngb-${target}`)
    const stamp = join(REPO_ROOT, 'dist', `.ngb-${target}.source`)
    const hash = sourceHash()
    if (existsSync(binary) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return binary
    const proc = Bun.spawn([process.execPath, 'build.ts'], { cwd: REPO_ROOT, stdout: 'pipe', stderr: 'pipe' })
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ])
    if (code !== 0) throw new Error(`bun build.ts failed (${code}):\n${out}\n${err}`)
    mkdirSync(join(REPO_ROOT, 'dist'), { recursive: true })
    writeFileSync(`${stamp}.tmp`, hash)
    renameSync(`${stamp}.tmp`, stamp)
    return binary
  })()
  return pending
}
