import { appendFileSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Masker } from '../../util/mask.ts'

export interface RunLog {
  readonly path: string
  /** One line `<iso time> <kind> <text>`, secrets masked. Never throws: a full disk must not fail the run. */
  line(kind: string, text: string): void
}

/**
 * The per-run log file under the group folder (groups/<folder>/logs/run-<id>.log). The first failed
 * write (disk full, permissions) goes to `onFailure` once and the log stops: retrying every line of
 * a chatty run against a full disk would only add load, and a half-written log is worse than one
 * that says where it ended. Before, it stopped silently and the missing lines looked like a hang.
 */
export function createRunLog(
  path: string,
  masker: Masker,
  now: () => number,
  onFailure: (error: unknown) => void = () => {},
): RunLog {
  let broken = false
  const fail = (error: unknown) => {
    broken = true
    try {
      onFailure(error)
    } catch {
      // The reporter itself failed (its sink is on the same full disk): nothing more to do.
    }
  }
  try {
    mkdirSync(dirname(path), { recursive: true })
  } catch (error) {
    fail(error)
  }
  return {
    path,
    line(kind, text) {
      if (broken) return
      try {
        appendFileSync(path, `${new Date(now()).toISOString()} ${kind} ${masker.mask(text)}\n`)
      } catch (error) {
        fail(error)
      }
    },
  }
}

/**
 * Copies a stream into the run log in whole lines (masking never sees half a secret), up to
 * `maxBytes` (a chatty agent must not fill the disk). Resolves with the last few KiB, for errors.
 */
export async function logLines(
  stream: ReadableStream<Uint8Array>,
  log: RunLog,
  kind: string,
  maxBytes: number,
  tailBytes = 4096,
): Promise<string> {
  const decoder = new TextDecoder()
  let tail = ''
  let partial = ''
  let bytes = 0
  for await (const chunk of stream) {
    bytes += chunk.byteLength
    if (bytes > maxBytes) {
      if (bytes - chunk.byteLength <= maxBytes)
        log.line(kind, `(more than ${maxBytes} bytes: the rest is not logged)`)
      continue
    }
    const text = decoder.decode(chunk, { stream: true })
    tail = (tail + text).slice(-tailBytes)
    partial += text
    const nl = partial.lastIndexOf('\n')
    if (nl !== -1) {
      log.line(kind, partial.slice(0, nl))
      partial = partial.slice(nl + 1)
    } else if (partial.length > tailBytes) {
      log.line(kind, partial)
      partial = ''
    }
  }
  if (partial) log.line(kind, partial)
  return tail
}
