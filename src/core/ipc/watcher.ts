import type { FSWatcher } from 'node:fs'
import { watch } from 'node:fs'
import { FOLDER_PATTERN, IPC_DIRS } from '../../protocol/container.ts'
import type { Clock, TimerHandle } from '../../util/clock.ts'
import type { Logger } from '../../util/log.ts'
import {
  ensureRoot,
  safeList,
  safeRead,
  safeRemove,
  safeWrite,
  UnsafePathError,
} from '../../util/safe-fs/index.ts'
import { errorMessage } from '../errors.ts'
import type { ActionOutcome, IpcActions } from './actions.ts'
import type { AgentLimits } from './limits.ts'

export interface IpcWatcherDeps {
  /** `<data dir>/ipc`: one directory per group folder, plus `errors/`. */
  ipcDir: string
  actions: IpcActions
  /** The per-group cap on the total size of pending IPC files (none: only the per-file cap). */
  limits?: Pick<AgentLimits, 'ipcMaxBytes' | 'exceeded'>
  clock: Clock
  log: Logger
}

export interface IpcWatcherOptions {
  /** The fallback scan when fs events are missed (bind mounts, network filesystems). */
  pollIntervalMs?: number
  maxFileBytes?: number
  /** Files taken from one group's directory per scan; the rest wait for the next scan. */
  maxFilesPerCycle?: number
  /** Beyond this many files in errors/, rejected files are deleted instead of kept. */
  maxErrorFiles?: number
  /** A rejected file keeps only this much of its head (plus the reason) in errors/. */
  errorHeadBytes?: number
  fsEvents?: boolean
}

export interface ScanStats {
  processed: number
  rejected: number
  /** More files were waiting than one cycle takes; another scan follows at once. */
  backlog: boolean
}

export interface IpcWatcher {
  start(): void
  stop(): Promise<void>
  /** One scan (queued behind a running one). Tests and start-up call it directly. */
  scan(): Promise<ScanStats>
}

export const ERRORS_DIR = 'errors'
const ACTION_DIRS = [IPC_DIRS.messages, IPC_DIRS.tasks] as const

type Read = { ok: true; data: unknown } | { ok: false; reason: string } | { ok: 'gone' }

/**
 * Reads an agent-written file through safe-fs: no symlink is followed (in the path or at its end),
 * a FIFO or directory is refused, and no more than the cap is read.
 */
function readActionFile(ipcDir: string, rel: string, maxBytes: number): Read {
  let read: ReturnType<typeof safeRead>
  try {
    read = safeRead(ipcDir, rel, maxBytes)
  } catch (err) {
    return {
      ok: false,
      reason: err instanceof UnsafePathError ? err.reason : `cannot read: ${errorMessage(err)}`,
    }
  }
  if (!read) return { ok: 'gone' }
  if (read.truncated) return { ok: false, reason: `oversized: ${read.size} bytes (limit ${maxBytes})` }
  try {
    return { ok: true, data: JSON.parse(read.text) }
  } catch (err) {
    return { ok: false, reason: `malformed JSON: ${errorMessage(err)}` }
  }
}

/** Oldest first within the group's byte budget; everything past it is refused. */
function splitByBudget<T extends { size: number }>(files: T[], maxBytes: number | undefined) {
  if (maxBytes === undefined) return { within: files, over: [] as T[] }
  let bytes = 0
  const within: T[] = []
  const over: T[] = []
  for (const f of files) {
    bytes += f.size
    ;(bytes > maxBytes ? over : within).push(f)
  }
  return { within, over }
}

/**
 * Picks up the agents' action files from ipc/<folder>/messages and ipc/<folder>/tasks: fs events
 * for speed, a slow poll as the safety net. Files run in name (= time) order; a processed file is
 * deleted, anything else is moved to ipc/errors/<folder>-<file> with the reason logged, and the
 * loop carries on whatever a file contains.
 */
export function createIpcWatcher(deps: IpcWatcherDeps, opts: IpcWatcherOptions = {}): IpcWatcher {
  const pollIntervalMs = opts.pollIntervalMs ?? 1000
  const maxFileBytes = opts.maxFileBytes ?? 64 * 1024
  const maxFilesPerCycle = opts.maxFilesPerCycle ?? 50
  const maxErrorFiles = opts.maxErrorFiles ?? 1000
  const errorHeadBytes = opts.errorHeadBytes ?? 4096
  const log = deps.log.child({ component: 'ipc' })
  let running = false
  let fsWatcher: FSWatcher | undefined
  let timer: TimerHandle | undefined
  let current: Promise<ScanStats> | undefined
  let again = false
  const refused = new Set<string>()

  /**
   * Keeps a rejected file as a new file in errors/ (its head and the reason, never the whole file,
   * and never the original inode: it may be a hard link), then removes the original entry.
   */
  function reject(folder: string, file: { dir: string; name: string }, reason: string) {
    const rel = `${folder}/${file.dir}/${file.name}`
    let kept = false
    try {
      if (safeList(deps.ipcDir, ERRORS_DIR).length < maxErrorFiles) {
        let head = ''
        let size: number | undefined
        try {
          const r = safeRead(deps.ipcDir, rel, errorHeadBytes)
          head = r?.text ?? ''
          size = r?.size
        } catch {
          head = '' // a link, FIFO or directory: nothing of it is read
        }
        const note = `\n--- ngb: rejected (${reason})${size === undefined ? '' : `; ${size} bytes, first ${Buffer.byteLength(head)} kept`}\n`
        const taken = new Set(safeList(deps.ipcDir, ERRORS_DIR).map((e) => e.name))
        let dest = `${folder}-${file.name}`
        if (taken.has(dest)) dest = `${folder}-${deps.clock.now()}-${file.name}`
        safeWrite(deps.ipcDir, `${ERRORS_DIR}/${dest}`, head + note, { mode: 0o600 })
        kept = true
      }
    } catch (err) {
      log.error('could not keep a rejected ipc file', { group: folder, file: file.name, error: err })
    }
    try {
      safeRemove(deps.ipcDir, rel)
    } catch (err) {
      log.error('could not remove a rejected ipc file', { group: folder, file: file.name, error: err })
    }
    log.warn('ipc file rejected', { group: folder, dir: file.dir, file: file.name, reason, kept })
  }

  async function handle(folder: string, file: { dir: string; name: string }): Promise<boolean> {
    const rel = `${folder}/${file.dir}/${file.name}`
    const read = readActionFile(deps.ipcDir, rel, maxFileBytes)
    if (read.ok === 'gone') return true
    if (!read.ok) {
      reject(folder, file, read.reason)
      return false
    }
    let outcome: ActionOutcome
    try {
      outcome =
        file.dir === IPC_DIRS.messages
          ? await deps.actions.message(folder, read.data)
          : await deps.actions.task(folder, read.data)
    } catch (err) {
      outcome = { kind: 'failed', reason: errorMessage(err) }
    }
    if (outcome.kind === 'done') {
      try {
        safeRemove(deps.ipcDir, rel)
      } catch (err) {
        log.error('could not delete a processed ipc file', { group: folder, file: file.name, error: err })
      }
      return true
    }
    reject(folder, file, `${outcome.kind}: ${outcome.reason}`)
    return false
  }

  /** The action dir's entries; a dir the agent replaced by a link is refused (and logged), not followed. */
  function listDir(folder: string, dir: string): Array<{ name: string; size: number }> {
    const key = `${folder}/${dir}`
    try {
      const entries = safeList(deps.ipcDir, key)
      refused.delete(key)
      return entries
    } catch (err) {
      // Once per episode: the next run of the group re-creates the directory.
      if (!refused.has(key)) log.warn('ipc dir refused', { group: folder, dir, error: errorMessage(err) })
      refused.add(key)
      return []
    }
  }

  async function scanOnce(): Promise<ScanStats> {
    const stats: ScanStats = { processed: 0, rejected: 0, backlog: false }
    let folders: string[] = []
    try {
      folders = safeList(deps.ipcDir, '')
        .filter((d) => d.type === 'dir' && d.name !== ERRORS_DIR && FOLDER_PATTERN.test(d.name))
        .map((d) => d.name)
        .sort()
    } catch (err) {
      log.error('cannot list the ipc directory', { dir: deps.ipcDir, error: err })
      return stats
    }
    for (const folder of folders) {
      const files = ACTION_DIRS.flatMap((dir) =>
        listDir(folder, dir)
          .filter((e) => e.name.endsWith('.json'))
          .map((e) => ({ dir, name: e.name, size: e.size })),
      ).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.dir < b.dir ? -1 : 1))
      if (files.length > maxFilesPerCycle) stats.backlog = true
      const { within, over } = splitByBudget(files, deps.limits?.ipcMaxBytes)
      if (over.length > 0 && deps.limits) {
        const max = deps.limits.ipcMaxBytes
        deps.limits.exceeded(folder, 'ipc_bytes', `more than ${max} bytes of pending ipc files`)
        for (const file of over) {
          reject(folder, file, `limit: pending ipc files exceed ${max} bytes`)
          stats.rejected++
        }
      }
      for (const file of within.slice(0, maxFilesPerCycle)) {
        if (await handle(folder, file)) stats.processed++
        else stats.rejected++
      }
    }
    return stats
  }

  function scan(): Promise<ScanStats> {
    if (current) {
      again = true
      return current
    }
    current = (async () => {
      let stats: ScanStats
      do {
        again = false
        stats = await scanOnce()
      } while (running && (again || stats.backlog))
      return stats
    })().finally(() => {
      current = undefined
    })
    return current
  }

  function poll() {
    timer = undefined
    if (!running) return
    void scan().finally(() => {
      if (running && !timer) timer = deps.clock.setTimeout(poll, pollIntervalMs)
    })
  }

  return {
    start() {
      if (running) return
      running = true
      ensureRoot(deps.ipcDir)
      if (opts.fsEvents !== false) {
        try {
          fsWatcher = watch(deps.ipcDir, { recursive: true }, (_event, name) => {
            if (typeof name === 'string' && name.endsWith('.json')) void scan()
          })
          fsWatcher.on('error', (err) => {
            log.warn('ipc fs events failed; polling only', { error: err })
            fsWatcher?.close()
            fsWatcher = undefined
          })
        } catch (err) {
          log.warn('ipc fs events unavailable; polling only', { error: err })
        }
      }
      poll()
    },
    async stop() {
      running = false
      fsWatcher?.close()
      fsWatcher = undefined
      if (timer) deps.clock.clearTimeout(timer)
      timer = undefined
      await current
    },
    scan,
  }
}
