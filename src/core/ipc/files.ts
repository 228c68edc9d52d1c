import { ensureRoot, safeWrite } from '../../util/safe-fs.ts'

let lastMs = 0
let seq = 0

/**
 * `<epoch ms>-<seq><random>.json`: lexicographic order is chronological order, also for several
 * files written by one process in the same millisecond (the zero-padded sequence orders them).
 */
export function ipcFileName(now: number = Date.now()): string {
  seq = now === lastMs ? seq + 1 : 0
  lastMs = now
  const order = seq.toString(36).padStart(4, '0')
  return `${String(now).padStart(13, '0')}-${order}${Math.random().toString(36).slice(2, 6)}.json`
}

/**
 * Writes JSON so a reader never sees half a file: an exclusive temp file, then rename (atomic on
 * one filesystem). Readers ignore anything not ending in `.json`. `dir` is trusted as a root;
 * under an agent-writable directory use `writeJsonIn` with a host-only root instead.
 */
export function atomicWriteJson(dir: string, value: unknown, name: string = ipcFileName()): string {
  ensureRoot(dir)
  return safeWrite(dir, name, JSON.stringify(value))
}

/** `root/rel` written atomically through safe-fs: no component below the root is followed. */
export function writeJsonIn(root: string, rel: string, value: unknown): string {
  return safeWrite(root, rel, JSON.stringify(value))
}
