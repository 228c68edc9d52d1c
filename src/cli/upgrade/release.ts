import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { InvalidInputError, NgbError, NotFoundError, VerificationError } from '../../core/errors.ts'

/** Where releases are published: `<base>/latest/download/<file>` or `<base>/download/v<version>/<file>`. */
export const DEFAULT_RELEASE_BASE = 'https://github.com/nanogridbot/nanogridbot/releases'

/** The release file name of the binary for a platform and architecture (`ngb-linux-x64`, …). */
export function binaryNameFor(platform: NodeJS.Platform, arch: string): string {
  const os = platform === 'win32' ? 'windows' : platform
  if (!['linux', 'darwin', 'windows'].includes(os))
    throw new InvalidInputError(`no ngb build for ${platform}`)
  if (!['x64', 'arm64'].includes(arch)) throw new InvalidInputError(`no ngb build for the processor ${arch}`)
  return `ngb-${os}-${arch}${os === 'windows' ? '.exe' : ''}`
}

/**
 * A place to take a release from: a directory or base URL holding SHA256SUMS and the binaries, or
 * one binary file with SHA256SUMS beside it.
 */
export interface ReleaseSource {
  /** Directory path or URL (no trailing slash) that holds SHA256SUMS. */
  location: string
  kind: 'dir' | 'url'
  /** The binary's name inside `location`. */
  file: string
}

export interface SourceOptions {
  from?: string
  to?: string
  base?: string
  binaryName: string
}

/** Resolves `--from` / `--to` / `--base` into one source; pure, so every combination is testable. */
export function resolveSource(opts: SourceOptions): ReleaseSource {
  const from = opts.from
  if (from && /^https?:\/\//.test(from)) {
    const url = from.replace(/\/+$/, '')
    const last = url.split('/').at(-1) ?? ''
    if (/^ngb-[a-z0-9-]+(\.exe)?$/.test(last))
      return { location: url.slice(0, -last.length - 1), kind: 'url', file: last }
    return { location: url, kind: 'url', file: opts.binaryName }
  }
  if (from) {
    if (!existsSync(from)) throw new NotFoundError(`--from ${from}: no such file or directory`)
    if (statSync(from).isDirectory()) return { location: from, kind: 'dir', file: opts.binaryName }
    return { location: dirname(from), kind: 'dir', file: basename(from) }
  }
  const base = (opts.base ?? DEFAULT_RELEASE_BASE).replace(/\/+$/, '')
  const location = opts.to ? `${base}/download/v${opts.to.replace(/^v/, '')}` : `${base}/latest/download`
  return { location, kind: 'url', file: opts.binaryName }
}

async function readSourceFile(source: ReleaseSource, name: string): Promise<Uint8Array> {
  if (source.kind === 'dir') {
    const path = join(source.location, name)
    if (!existsSync(path)) throw new NotFoundError(`${path} does not exist`)
    return new Uint8Array(readFileSync(path))
  }
  const url = `${source.location}/${name}`
  let res: Response
  try {
    res = await fetch(url, { redirect: 'follow' })
  } catch (error) {
    throw new NgbError('not_found', `could not download ${url}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  if (!res.ok) throw new NotFoundError(`could not download ${url}: HTTP ${res.status}`)
  return new Uint8Array(await res.arrayBuffer())
}

/** The expected digest of `file` in a SHA256SUMS text (`<hex>  <name>`, `*name` for binary mode). */
export function expectedDigest(sums: string, file: string): string | undefined {
  for (const line of sums.split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(\S+)\s*$/.exec(line.trim())
    if (m && m[2] === file) return m[1]
  }
  return undefined
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Downloads the binary and SHA256SUMS and returns the binary's bytes only if the digests match. */
export async function fetchVerified(source: ReleaseSource): Promise<Uint8Array> {
  const sums = new TextDecoder().decode(await readSourceFile(source, 'SHA256SUMS'))
  const expected = expectedDigest(sums, source.file)
  if (!expected) throw new NotFoundError(`SHA256SUMS at ${source.location} has no line for ${source.file}`)
  const bytes = await readSourceFile(source, source.file)
  const actual = sha256Hex(bytes)
  if (actual !== expected)
    throw new VerificationError(
      `checksum mismatch for ${source.file} from ${source.location} (expected ${expected}, got ${actual}); nothing was changed`,
    )
  return bytes
}
