import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

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
 * Writes JSON so a reader never sees half a file: write `<name>.tmp`, then rename (atomic on one
 * filesystem). Readers ignore anything not ending in `.json`.
 */
export function atomicWriteJson(dir: string, value: unknown, name: string = ipcFileName()): string {
  mkdirSync(dir, { recursive: true })
  const path = join(dir, name)
  const tmp = `${path}.tmp`
  writeFileSync(tmp, JSON.stringify(value))
  renameSync(tmp, path)
  return path
}
