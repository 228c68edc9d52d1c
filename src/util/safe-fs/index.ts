import {
  closeSync,
  constants,
  fstatSync,
  mkdtempSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Dir, Entry } from './dir.ts'
import {
  describe,
  errCode,
  listDir,
  openDir,
  parentAndName,
  removeEntry,
  UnsafePathError,
  withDir,
} from './dir.ts'

export type { Entry, EntryType, Owner } from './dir.ts'
export { ensureDir, ensureRoot, UnsafePathError } from './dir.ts'

/**
 * Host-side file operations under a directory an agent container can write (its workspace, its
 * IPC dirs, its session state). The agent may have replaced any entry below the trusted `root`
 * with a symlink, a FIFO, a hard link or a directory, at any moment, so:
 * - every path component below the root is opened with O_NOFOLLOW|O_DIRECTORY, one by one, and
 *   the next one is resolved relative to that open directory (`/proc/self/fd/<fd>/<name>`), so a
 *   component swapped after the check is never followed;
 * - files are created with O_EXCL under a random temp name and renamed into place (rename replaces
 *   a symlink, it does not follow it), never written in place (a hard link would carry the write);
 * - reads open with O_NOFOLLOW|O_NONBLOCK and refuse anything that is not a regular file;
 * - directories are removed entry by entry through the same descriptors, never `rm -rf` by path;
 * - ownership changes go through the descriptor (fchown), never `chown` by path.
 * Without /proc (macOS), paths are checked the same way but used by name: a race remains there.
 */

export interface WriteOptions {
  mode?: number
  /** Create (or repair) the parent directories. Default true. */
  createDirs?: boolean
}

/**
 * Atomically replaces `root/rel` with `data`: exclusive-create temp file in the verified parent,
 * then rename. A directory in the way is removed first (safely) so the host's file wins.
 */
export function safeWrite(
  root: string,
  rel: string,
  data: string | Uint8Array,
  opts: WriteOptions = {},
): string {
  const { parent, name } = parentAndName(rel)
  return withDir(root, parent, { create: opts.createDirs !== false }, (dir) => {
    const tmpName = createExclusive(dir, `.${name}`, data, opts.mode ?? 0o644)
    try {
      renameInto(dir, tmpName, name)
    } catch (err) {
      tryUnlink(dir.at(tmpName))
      throw err
    }
    return `${dir.path}/${name}`
  })
}

function createExclusive(dir: Dir, prefix: string, data: string | Uint8Array, mode: number): string {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW
  for (let attempt = 0; ; attempt++) {
    const tmpName = `${prefix}.${crypto.randomUUID().slice(0, 8)}.tmp`
    let fd: number
    try {
      fd = openSync(dir.at(tmpName), flags, mode)
    } catch (err) {
      if (errCode(err) === 'EEXIST' && attempt < 5) continue
      throw err
    }
    try {
      writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data)
    } finally {
      closeSync(fd)
    }
    return tmpName
  }
}

function writeAll(fd: number, buf: Uint8Array): void {
  let off = 0
  while (off < buf.byteLength) off += writeSync(fd, buf, off, buf.byteLength - off)
}

function renameInto(dir: Dir, from: string, to: string): void {
  try {
    renameSync(dir.at(from), dir.at(to))
  } catch (err) {
    const code = errCode(err)
    if (code !== 'EISDIR' && code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw err
    removeEntry(dir, to, 0)
    renameSync(dir.at(from), dir.at(to))
  }
}

/** A file streamed into a verified directory (a download): exclusive temp file, renamed on commit. */
export interface StreamWriter {
  write(chunk: Uint8Array): void
  /** Closes the file and renames it to `name` beside it; returns `relDir/name`. */
  commit(name: string): string
  /** Closes and removes the partial file (over a limit, a failed download). */
  discard(): void
}

/**
 * Opens `root/relDir` (created or repaired) as a verified directory and an exclusive temp file in
 * it; the directory stays open until commit/discard, so every step acts on the directory that was
 * checked even if the agent swaps a path component for a link meanwhile.
 */
export function safeWriteStream(root: string, relDir: string, opts: { mode?: number } = {}): StreamWriter {
  const dir = openDir(root, relDir, { create: true })
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW
  const tmpName = `.stream.${crypto.randomUUID().slice(0, 12)}.part`
  let fd: number | undefined
  try {
    fd = openSync(dir.at(tmpName), flags, opts.mode ?? 0o644)
  } catch (err) {
    dir.close()
    throw err
  }
  const finish = () => {
    if (fd !== undefined) closeSync(fd)
    fd = undefined
  }
  return {
    write(chunk) {
      if (fd === undefined) throw new Error('safeWriteStream: write after commit or discard')
      writeAll(fd, chunk)
    },
    commit(name) {
      finish()
      try {
        renameSync(dir.at(tmpName), dir.at(name))
        return relDir ? `${relDir}/${name}` : name
      } finally {
        dir.close()
      }
    },
    discard() {
      finish()
      tryUnlink(dir.at(tmpName))
      dir.close()
    },
  }
}

/**
 * Appends to a regular file with a single link (created if missing); refuses a symlink, a FIFO,
 * a directory or a hard-linked file instead of writing through it.
 */
export function safeAppend(root: string, rel: string, data: string): void {
  const { parent, name } = parentAndName(rel)
  withDir(root, parent, { create: true }, (dir) => {
    const flags =
      constants.O_WRONLY |
      constants.O_APPEND |
      constants.O_CREAT |
      constants.O_NOFOLLOW |
      constants.O_NONBLOCK
    let fd: number
    try {
      fd = openSync(dir.at(name), flags, 0o644)
    } catch (err) {
      throw new UnsafePathError(`${dir.path}/${name}`, describe(err))
    }
    try {
      const st = fstatSync(fd)
      if (!st.isFile()) throw new UnsafePathError(`${dir.path}/${name}`, 'is not a regular file')
      if (st.nlink > 1) throw new UnsafePathError(`${dir.path}/${name}`, 'has other hard links')
      writeAll(fd, Buffer.from(data))
    } finally {
      closeSync(fd)
    }
  })
}

export interface ReadResult {
  text: string
  /** The file's full size (the text holds at most maxBytes of it). */
  size: number
  truncated: boolean
}

/**
 * Reads at most `maxBytes` of `root/rel` when it is a regular file reached without following a
 * symlink; undefined when it (or a parent) does not exist. Throws UnsafePathError otherwise.
 */
export function safeRead(
  root: string,
  rel: string,
  maxBytes: number,
  opts: { tail?: boolean } = {},
): ReadResult | undefined {
  const { parent, name } = parentAndName(rel)
  let dir: Dir
  try {
    dir = openDir(root, parent)
  } catch (err) {
    if (errCode(err) === 'ENOENT') return undefined
    throw err
  }
  try {
    let fd: number
    try {
      fd = openSync(dir.at(name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    } catch (err) {
      if (errCode(err) === 'ENOENT') return undefined
      throw new UnsafePathError(`${dir.path}/${name}`, describe(err))
    }
    try {
      const st = fstatSync(fd)
      if (!st.isFile()) throw new UnsafePathError(`${dir.path}/${name}`, 'is not a regular file')
      // The tail of a file (logs) or its head; one byte more than asked tells a growing file apart.
      const start = opts.tail ? Math.max(0, st.size - maxBytes) : 0
      const buf = Buffer.alloc(Math.min(st.size - start, maxBytes) + (opts.tail ? 0 : 1))
      let n = 0
      while (n < buf.byteLength) {
        const got = readSync(fd, buf, n, buf.byteLength - n, start + n)
        if (got === 0) break
        n += got
      }
      const truncated = start > 0 || n > maxBytes || st.size > maxBytes
      const text = buf.subarray(0, Math.min(n, maxBytes)).toString('utf8')
      return { text, size: Math.max(st.size, n), truncated }
    } finally {
      closeSync(fd)
    }
  } finally {
    dir.close()
  }
}

/** The entries of the verified directory `root/rel` (empty when it does not exist), types from lstat. */
export function safeList(root: string, rel: string): Entry[] {
  let dir: Dir
  try {
    dir = openDir(root, rel)
  } catch (err) {
    if (errCode(err) === 'ENOENT') return []
    throw err
  }
  try {
    return listDir(dir)
  } finally {
    dir.close()
  }
}

/** Removes `root/rel` (a file, a link, or a whole directory tree) without following any link. */
export function safeRemove(root: string, rel: string): void {
  const { parent, name } = parentAndName(rel)
  let dir: Dir
  try {
    dir = openDir(root, parent)
  } catch (err) {
    if (errCode(err) === 'ENOENT') return
    throw err
  }
  try {
    removeEntry(dir, name, 0)
  } finally {
    dir.close()
  }
}

/** Empties the verified directory `root/rel`, keeping the directory itself. */
export function safeEmptyDir(root: string, rel: string): void {
  withDir(root, rel, {}, (dir) => {
    for (const e of listDir(dir)) removeEntry(dir, e.name, 0)
  })
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path)
  } catch {
    // Best effort: a leftover temp file is named `.*.tmp` and ignored by every reader.
  }
}

export interface PrivateCopy {
  /** A host-private copy (its own 0700 directory under the OS temp dir), safe to open by path. */
  path: string
  size: number
  /** The first bytes (up to 512), for content sniffing. */
  head: Uint8Array
  cleanup(): void
}

/**
 * Copies `root/rel` (a regular file reached without following any link) into a host-private file,
 * so code that must hand a path to someone else (an SDK upload, a file response) never reopens a
 * path the agent could swap meanwhile. Refuses files over `maxBytes`.
 */
export function safeCopyOut(root: string, rel: string, maxBytes: number): PrivateCopy {
  const { parent, name } = parentAndName(rel)
  return withDir(root, parent, {}, (dir) => {
    let src: number
    try {
      src = openSync(dir.at(name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    } catch (err) {
      throw new UnsafePathError(`${dir.path}/${name}`, describe(err))
    }
    const privateDir = mkdtempSync(join(tmpdir(), 'ngb-copy-'))
    const path = join(privateDir, 'file')
    const cleanup = () => rmSync(privateDir, { recursive: true, force: true })
    try {
      const st = fstatSync(src)
      if (!st.isFile()) throw new UnsafePathError(`${dir.path}/${name}`, 'is not a regular file')
      if (st.size > maxBytes)
        throw new UnsafePathError(`${dir.path}/${name}`, `is ${st.size} bytes (limit ${maxBytes})`)
      const out = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
      const buf = Buffer.alloc(64 * 1024)
      let size = 0
      let head = new Uint8Array(0)
      try {
        for (;;) {
          const n = readSync(src, buf, 0, buf.byteLength, size)
          if (n === 0) break
          size += n
          if (size > maxBytes) throw new UnsafePathError(`${dir.path}/${name}`, `grew past ${maxBytes} bytes`)
          if (head.length < 512)
            head = Uint8Array.from([...head, ...buf.subarray(0, Math.min(n, 512 - head.length))])
          writeAll(out, buf.subarray(0, n))
        }
      } finally {
        closeSync(out)
      }
      return { path, size, head, cleanup }
    } catch (err) {
      cleanup()
      throw err
    } finally {
      closeSync(src)
    }
  })
}
