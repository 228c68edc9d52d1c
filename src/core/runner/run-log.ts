import { appendFileSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Masker } from '../../util/mask.ts'

export interface RunLog {
  readonly path: string
  /** One line `<iso time> <kind> <text>`, secrets masked. Never throws: a full disk must not fail the run. */
  line(kind: string, text: string): void
}

/** The per-run log file under the group folder (groups/<folder>/logs/run-<id>.log). */
export function createRunLog(path: string, masker: Masker, now: () => number): RunLog {
  let broken = false
  mkdirSync(dirname(path), { recursive: true })
  return {
    path,
    line(kind, text) {
      if (broken) return
      try {
        appendFileSync(path, `${new Date(now()).toISOString()} ${kind} ${masker.mask(text)}\n`)
      } catch {
        broken = true
      }
    },
  }
}
