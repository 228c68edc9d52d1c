import { join } from 'node:path'
import type { Masker } from '../../util/mask.ts'
import { safeAppend } from '../../util/safe-fs/index.ts'

export interface RunLog {
  readonly path: string
  /** One line `<iso time> <kind> <text>`, secrets masked. Never throws: a full disk must not fail the run. */
  line(kind: string, text: string): void
}

/**
 * The per-run log file under the group folder (groups/<folder>/logs/run-<id>.log). The agent can
 * write that folder, so every append goes through safe-fs (a link, FIFO or hard link planted there
 * is refused, never written through). The first failed write (that refusal, a full disk,
 * permissions) goes to `onFailure` once and the log stops: retrying every line of a chatty run
 * would only add load, and a half-written log is worse than one that says where it ended.
 */
export function createRunLog(
  root: string,
  rel: string,
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
  return {
    path: join(root, rel),
    line(kind, text) {
      if (broken) return
      try {
        safeAppend(root, rel, `${new Date(now()).toISOString()} ${kind} ${masker.mask(text)}\n`)
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
