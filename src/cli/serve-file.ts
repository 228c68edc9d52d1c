import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as v from 'valibot'

/**
 * `<data dir>/serve.json`: written by a running `ngb serve` so other ngb commands on the same data dir
 * go through it (its API) instead of racing it for the database and the groups' containers.
 */
export const ServeFileSchema = v.object({
  pid: v.pipe(v.number(), v.integer()),
  url: v.string(),
  version: v.string(),
  startedAt: v.number(),
  installId: v.optional(v.string()),
})
export type ServeFile = v.InferOutput<typeof ServeFileSchema>

export function serveFilePath(dataDir: string): string {
  return join(dataDir, 'serve.json')
}

export function writeServeFile(dataDir: string, info: ServeFile): void {
  const path = serveFilePath(dataDir)
  writeFileSync(`${path}.tmp`, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 })
  renameSync(`${path}.tmp`, path)
}

/** Removes the file only if it is still ours (a second serve may have replaced it). */
export function removeServeFile(dataDir: string, pid: number): void {
  const current = readServeFile(dataDir)
  if (current?.pid === pid) rmSync(serveFilePath(dataDir), { force: true })
}

export function readServeFile(dataDir: string): ServeFile | undefined {
  const path = serveFilePath(dataDir)
  if (!existsSync(path)) return undefined
  try {
    const parsed = v.safeParse(ServeFileSchema, JSON.parse(readFileSync(path, 'utf8')))
    return parsed.success ? parsed.output : undefined
  } catch {
    // Torn or foreign content: treat as "no server", the caller falls back to the database.
    return undefined
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (error as { code?: string }).code === 'EPERM'
  }
}

/** The serve.json of a live process, or undefined (no file, stale pid). */
export function liveServer(dataDir: string): ServeFile | undefined {
  const info = readServeFile(dataDir)
  return info && isAlive(info.pid) ? info : undefined
}
