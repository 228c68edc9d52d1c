import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import * as v from 'valibot'
import { ConflictError } from '../core/errors.ts'
import { isAlive } from './serve-file.ts'

/**
 * `<data dir>/serve.lock`: one `ngb serve` per data dir. Two servers on one database would both run
 * every scheduled task and race each other's containers, so the second one refuses to start.
 * Taken with O_EXCL before anything else starts; a lock whose PID is dead is taken over.
 */
const LockSchema = v.object({ pid: v.pipe(v.number(), v.integer()), port: v.optional(v.number()) })
type LockInfo = v.InferOutput<typeof LockSchema>

export interface ServeLock {
  /** Records the port actually bound (shown to a second serve in its refusal). */
  setPort(port: number): void
  release(): void
}

export function serveLockPath(dataDir: string): string {
  return join(dataDir, 'serve.lock')
}

function readLock(path: string): LockInfo | undefined {
  try {
    const parsed = v.safeParse(LockSchema, JSON.parse(readFileSync(path, 'utf8')))
    return parsed.success ? parsed.output : undefined
  } catch {
    // Missing, torn (a writer between open and write) or foreign: the caller decides.
    return undefined
  }
}

/** The live holder of the lock, if any. */
export function serveLockHolder(dataDir: string): LockInfo | undefined {
  const info = readLock(serveLockPath(dataDir))
  return info && isAlive(info.pid) ? info : undefined
}

function refusal(dataDir: string, holder: LockInfo): ConflictError {
  const port = holder.port === undefined ? '' : `, port ${holder.port}`
  return new ConflictError(
    `another ngb serve (pid ${holder.pid}${port}) already uses the data dir ${dataDir}; stop it first or use another --data-dir`,
  )
}

export function acquireServeLock(dataDir: string, pid = process.pid, port?: number): ServeLock {
  const path = serveLockPath(dataDir)
  const write = (info: LockInfo) => {
    writeFileSync(`${path}.${pid}.tmp`, JSON.stringify(info), { mode: 0o600 })
    renameSync(`${path}.${pid}.tmp`, path)
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600)
      writeSync(fd, JSON.stringify({ pid, port }))
      closeSync(fd)
      let current: LockInfo = { pid, port }
      return {
        setPort(p) {
          current = { pid, port: p }
          write(current)
        },
        release() {
          if (readLock(path)?.pid === pid) rmSync(path, { force: true })
        },
      }
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error
    }
    const holder = readLock(path)
    if (holder && isAlive(holder.pid) && holder.pid !== pid) throw refusal(dataDir, holder)
    if (!holder) {
      // Unreadable: maybe a holder between its open and its write. Give it one more look.
      if (attempt === 0) continue
    }
    // Stale (dead PID or garbage): move it aside atomically, so only one taker wins, then retry.
    const aside = `${path}.stale.${pid}`
    try {
      renameSync(path, aside)
    } catch {
      continue
    }
    const moved = readLock(aside)
    if (moved && isAlive(moved.pid) && moved.pid !== pid) {
      // Another taker created a fresh lock in between: put it back and refuse.
      renameSync(aside, path)
      throw refusal(dataDir, moved)
    }
    rmSync(aside, { force: true })
  }
  const holder = readLock(path)
  throw holder
    ? refusal(dataDir, holder)
    : new ConflictError(`could not take ${path}: remove it if no ngb serve is running`)
}
