import {
  closeSync,
  constants,
  existsSync,
  fchownSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmdirSync,
  unlinkSync,
} from 'node:fs'

/**
 * Verified directories for safe-fs (index.ts, the module's door, explains the threat): a path
 * below a trusted root is opened component by component with O_NOFOLLOW|O_DIRECTORY, each
 * relative to the directory opened before it.
 */

export class UnsafePathError extends Error {
  readonly code = 'unsafe_path'
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`refused ${path}: ${reason}`)
    this.name = 'UnsafePathError'
  }
}

export interface Owner {
  uid: number
  gid: number
}

export type EntryType = 'file' | 'dir' | 'symlink' | 'other'

export interface Entry {
  name: string
  type: EntryType
  /** lstat size (a link's own size, never its target's). */
  size: number
}

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW | constants.O_NONBLOCK
const MAX_DEPTH = 32

let procFd: boolean | undefined
function hasProcFd(): boolean {
  procFd ??= existsSync('/proc/self/fd')
  return procFd
}

export function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code
}

/** An open, verified directory: `at(name)` names an entry inside it without re-resolving the chain. */
export interface Dir {
  fd: number
  path: string
  at(name: string): string
  close(): void
}

function dirOf(fd: number, path: string): Dir {
  const base = hasProcFd() ? `/proc/self/fd/${fd}` : path
  return { fd, path, at: (name) => `${base}/${name}`, close: () => closeSync(fd) }
}

function splitRel(rel: string): string[] {
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.')
  for (const p of parts) {
    if (p === '..') throw new UnsafePathError(rel, 'a path inside the root may not contain ".."')
  }
  return parts
}

export function describe(err: unknown): string {
  const code = errCode(err)
  if (code === 'ELOOP') return 'is a symlink'
  if (code === 'ENOTDIR') return 'is not a directory'
  return err instanceof Error ? err.message : String(err)
}

export interface OpenDirOptions {
  /** Create missing components, and replace a symlink or non-directory in the way (repair). */
  create?: boolean
  mode?: number
  /** Give the last component to this owner (via fchown on the open directory). */
  owner?: Owner
}

/** Opens `root/rel` as a verified directory. The root itself is trusted (host-only). */
export function openDir(root: string, rel: string, opts: OpenDirOptions = {}): Dir {
  const parts = splitRel(rel)
  let dir = dirOf(openSync(root, constants.O_RDONLY | constants.O_DIRECTORY), root)
  try {
    for (const [i, part] of parts.entries()) {
      const next = openChild(dir, part, i === parts.length - 1 ? opts : { ...opts, owner: undefined })
      dir.close()
      dir = next
    }
    return dir
  } catch (err) {
    dir.close()
    throw err
  }
}

export function openChild(parent: Dir, name: string, opts: OpenDirOptions): Dir {
  const path = `${parent.path}/${name}`
  const target = parent.at(name)
  let fd: number
  try {
    fd = openSync(target, DIR_FLAGS)
  } catch (err) {
    const code = errCode(err)
    if (!opts.create || (code !== 'ENOENT' && code !== 'ELOOP' && code !== 'ENOTDIR')) {
      if (code === 'ENOENT') throw err
      throw new UnsafePathError(path, describe(err))
    }
    // Missing, or replaced by a symlink/file/FIFO: unlink never follows, so the link's target is untouched.
    if (code !== 'ENOENT') unlinkSync(target)
    try {
      mkdirSync(target, { mode: opts.mode ?? 0o755 })
    } catch (mkErr) {
      if (errCode(mkErr) !== 'EEXIST') throw mkErr
    }
    try {
      fd = openSync(target, DIR_FLAGS)
    } catch (again) {
      throw new UnsafePathError(path, `${describe(again)} (replaced while being created)`)
    }
  }
  if (opts.owner) fchownSync(fd, opts.owner.uid, opts.owner.gid)
  return dirOf(fd, path)
}

export function parentAndName(rel: string): { parent: string; name: string } {
  const parts = splitRel(rel)
  const name = parts.pop()
  if (!name) throw new UnsafePathError(rel, 'names no file')
  return { parent: parts.join('/'), name }
}

export function withDir<T>(root: string, rel: string, opts: OpenDirOptions, fn: (dir: Dir) => T): T {
  const dir = openDir(root, rel, opts)
  try {
    return fn(dir)
  } finally {
    dir.close()
  }
}

/** Creates a trusted root (a host-only directory such as `<data>/ipc`); nothing below it is trusted. */
export function ensureRoot(root: string, mode = 0o755): void {
  mkdirSync(root, { recursive: true, mode })
}

/** Makes `root/rel` a real directory chain (re-creating any component the agent replaced); returns its path. */
export function ensureDir(root: string, rel: string, opts: Omit<OpenDirOptions, 'create'> = {}): string {
  return withDir(root, rel, { ...opts, create: true }, (d) => d.path)
}

export function listDir(dir: Dir): Entry[] {
  return readdirSync(dir.at('.'), { withFileTypes: true }).map((d) => ({
    name: d.name,
    type: d.isSymbolicLink() ? 'symlink' : d.isFile() ? 'file' : d.isDirectory() ? 'dir' : 'other',
    size: sizeOf(dir, d.name),
  }))
}

function sizeOf(dir: Dir, name: string): number {
  try {
    return lstatSync(dir.at(name)).size
  } catch {
    return 0 // gone since the listing
  }
}

export function removeEntry(dir: Dir, name: string, depth: number): void {
  const target = dir.at(name)
  try {
    unlinkSync(target)
    return
  } catch (err) {
    const code = errCode(err)
    if (code === 'ENOENT') return
    if (code !== 'EISDIR' && code !== 'EPERM') throw err
  }
  if (depth >= MAX_DEPTH) throw new UnsafePathError(`${dir.path}/${name}`, `nested deeper than ${MAX_DEPTH}`)
  const child = openChild(dir, name, {})
  try {
    for (const e of listDir(child)) removeEntry(child, e.name, depth + 1)
  } finally {
    child.close()
  }
  rmdirSync(target)
}
