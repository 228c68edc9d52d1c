import type { FSWatcher } from 'node:fs'
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  unlinkSync,
  watch,
} from 'node:fs'
import { join } from 'node:path'
import { FOLDER_PATTERN, IPC_DIRS } from '../../protocol/container.ts'
import type { Clock, TimerHandle } from '../../util/clock.ts'
import type { Logger } from '../../util/log.ts'
import { errorMessage } from '../errors.ts'
import type { ActionOutcome, IpcActions } from './actions.ts'

export interface IpcWatcherDeps {
  /** `<data dir>/ipc`: one directory per group folder, plus `errors/`. */
  ipcDir: string
  actions: IpcActions
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
 * Reads an agent-written file without following symlinks (a container could point one at a host
 * file) and without reading more than the cap.
 */
function readActionFile(path: string, maxBytes: number): Read {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return { ok: 'gone' }
    return { ok: false, reason: code === 'ELOOP' ? 'is a symlink' : `cannot open: ${errorMessage(err)}` }
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) return { ok: false, reason: 'is not a regular file' }
    if (st.size > maxBytes) return { ok: false, reason: `oversized: ${st.size} bytes (limit ${maxBytes})` }
    const buf = Buffer.alloc(maxBytes + 1)
    const n = readSync(fd, buf, 0, maxBytes + 1, 0)
    if (n > maxBytes) return { ok: false, reason: `oversized: more than ${maxBytes} bytes` }
    try {
      return { ok: true, data: JSON.parse(buf.subarray(0, n).toString('utf8')) }
    } catch (err) {
      return { ok: false, reason: `malformed JSON: ${errorMessage(err)}` }
    }
  } finally {
    closeSync(fd)
  }
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
  const log = deps.log.child({ component: 'ipc' })
  const errorsDir = join(deps.ipcDir, ERRORS_DIR)
  let running = false
  let fsWatcher: FSWatcher | undefined
  let timer: TimerHandle | undefined
  let current: Promise<ScanStats> | undefined
  let again = false

  function reject(folder: string, file: { dir: string; name: string }, reason: string) {
    const from = join(deps.ipcDir, folder, file.dir, file.name)
    mkdirSync(errorsDir, { recursive: true })
    let kept = false
    try {
      if (readdirSync(errorsDir).length < maxErrorFiles) {
        let dest = join(errorsDir, `${folder}-${file.name}`)
        if (existsSync(dest)) dest = join(errorsDir, `${folder}-${deps.clock.now()}-${file.name}`)
        renameSync(from, dest)
        kept = true
      } else unlinkSync(from)
    } catch (err) {
      log.error('could not move a rejected ipc file', { group: folder, file: file.name, error: err })
    }
    log.warn('ipc file rejected', { group: folder, dir: file.dir, file: file.name, reason, kept })
  }

  async function handle(folder: string, file: { dir: string; name: string }): Promise<boolean> {
    const path = join(deps.ipcDir, folder, file.dir, file.name)
    const read = readActionFile(path, maxFileBytes)
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
        unlinkSync(path)
      } catch (err) {
        log.error('could not delete a processed ipc file', { group: folder, file: file.name, error: err })
      }
      return true
    }
    reject(folder, file, `${outcome.kind}: ${outcome.reason}`)
    return false
  }

  function listDir(dir: string): string[] {
    try {
      return readdirSync(dir)
    } catch {
      return []
    }
  }

  async function scanOnce(): Promise<ScanStats> {
    const stats: ScanStats = { processed: 0, rejected: 0, backlog: false }
    let folders: string[] = []
    try {
      folders = readdirSync(deps.ipcDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name !== ERRORS_DIR && FOLDER_PATTERN.test(d.name))
        .map((d) => d.name)
        .sort()
    } catch (err) {
      log.error('cannot list the ipc directory', { dir: deps.ipcDir, error: err })
      return stats
    }
    for (const folder of folders) {
      const files = ACTION_DIRS.flatMap((dir) =>
        listDir(join(deps.ipcDir, folder, dir))
          .filter((name) => name.endsWith('.json'))
          .map((name) => ({ dir, name })),
      ).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.dir < b.dir ? -1 : 1))
      if (files.length > maxFilesPerCycle) stats.backlog = true
      for (const file of files.slice(0, maxFilesPerCycle)) {
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
      mkdirSync(deps.ipcDir, { recursive: true })
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
