import {
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { join, relative, sep } from 'node:path'
import { InvalidInputError } from '../errors.ts'

/**
 * Writes into the agent-writable workspace without following links: the agent may have replaced a
 * folder with a symlink to somewhere else on the host. Every directory on the way is created or
 * checked with lstat, and the file is opened O_EXCL|O_NOFOLLOW.
 */
export function ensureRealDir(root: string, parts: readonly string[]): string {
  let dir = root
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..' || part.includes(sep))
      throw new InvalidInputError(`unsafe folder name "${part}"`, 'path')
    dir = join(dir, part)
    try {
      mkdirSync(dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const st = lstatSync(dir)
    if (!st.isDirectory() || st.isSymbolicLink())
      throw new InvalidInputError(
        `${dir} is not a plain folder (a link or a file); refusing to write there`,
        'path',
      )
  }
  return dir
}

export interface ExclusiveFile {
  write(chunk: Uint8Array): void
  close(): void
  /** Closes and deletes the partial file. */
  discard(): void
}

export function openExclusive(path: string): ExclusiveFile {
  const fd = openSync(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o644,
  )
  let open = true
  const close = () => {
    if (open) closeSync(fd)
    open = false
  }
  return {
    write(chunk) {
      let off = 0
      while (off < chunk.length) off += writeSync(fd, chunk, off)
    },
    close,
    discard() {
      close()
      try {
        unlinkSync(path)
      } catch {
        // Already gone: nothing to clean.
      }
    },
  }
}

/**
 * Resolves a workspace-relative path the agent named to a real file inside the workspace: no
 * absolute paths, no `..`, and after resolving symlinks still inside. Throws InvalidInputError.
 */
export function resolveInWorkspace(workspace: string, rel: string): string {
  if (rel.startsWith('/') || rel.startsWith('\\') || /^[a-zA-Z]:/.test(rel))
    throw new InvalidInputError(`"${rel}" is absolute; give a path relative to the workspace`, 'path')
  const cleaned = rel
  if (cleaned.split(/[\\/]/).includes('..'))
    throw new InvalidInputError(`"${rel}" leaves the workspace (..)`, 'path')
  const root = realpathSync(workspace)
  let real: string
  try {
    real = realpathSync(join(root, cleaned))
  } catch {
    throw new InvalidInputError(`"${rel}" does not exist in the workspace`, 'path')
  }
  const inside = relative(root, real)
  if (inside === '' || inside.startsWith('..') || inside.startsWith(sep))
    throw new InvalidInputError(`"${rel}" resolves outside the workspace (a symlink)`, 'path')
  if (!lstatSync(real).isFile()) throw new InvalidInputError(`"${rel}" is not a file`, 'path')
  return real
}

/**
 * Where a workspace file really is, as a trusted root (the workspace's real path) and a path inside
 * it with no link left in it. Opening that through safe-fs (`safeCopyOut`) refuses it if the agent
 * swaps a component for a link after this check, so the file that is used is the file that was checked.
 */
export function canonicalInWorkspace(workspace: string, rel: string): { root: string; rel: string } {
  const real = resolveInWorkspace(workspace, rel)
  const root = realpathSync(workspace)
  return { root, rel: relative(root, real) }
}
