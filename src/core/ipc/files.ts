import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** `<epoch ms>-<random>.json`: lexicographic order is chronological order. */
export function ipcFileName(now: number = Date.now()): string {
  return `${String(now).padStart(13, '0')}-${Math.random().toString(36).slice(2, 8)}.json`
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
