import type { FSWatcher } from 'node:fs'
import { closeSync, fstatSync, openSync, readSync, statSync, watch } from 'node:fs'
import { basename, dirname } from 'node:path'

export interface FollowOptions {
  path: string
  /** Start here in the file with this inode (from the tail just printed); else from the end. */
  start?: { offset: number; ino: number }
  onLine(line: string): void
  signal: AbortSignal
  /** Fallback poll when fs events are missed (network filesystems, editors replacing the file). */
  pollMs?: number
}

const READ_BYTES = 64 * 1024

function inodeOf(path: string): number | undefined {
  try {
    return statSync(path).ino
  } catch {
    return undefined
  }
}

/**
 * `tail -F` for the JSON log: prints complete lines as they are appended, keeps reading the old file
 * to its end when it is rotated away (inode change), and starts over when it is truncated. Woken by
 * fs events on the directory, with a poll as the safety net. Resolves when `signal` aborts.
 */
export function followLog(opts: FollowOptions): Promise<void> {
  let fd: number | undefined
  let ino: number | undefined
  let pos = 0
  let partial = ''

  function open(fromOffset: 'start' | 'end' | number): void {
    try {
      fd = openSync(opts.path, 'r')
    } catch {
      fd = undefined // not there yet (before the first log line, or mid-rotation)
      return
    }
    const st = fstatSync(fd)
    ino = st.ino
    pos = fromOffset === 'start' ? 0 : fromOffset === 'end' ? st.size : Math.min(fromOffset, st.size)
    partial = ''
  }

  function close(): void {
    if (fd !== undefined) closeSync(fd)
    fd = undefined
  }

  function drain(): void {
    if (fd === undefined) return
    const buf = Buffer.alloc(READ_BYTES)
    for (;;) {
      const n = readSync(fd, buf, 0, READ_BYTES, pos)
      if (n <= 0) break
      pos += n
      const text = partial + buf.subarray(0, n).toString('utf8')
      const lines = text.split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) if (line !== '') opts.onLine(line)
    }
  }

  function tick(): void {
    if (fd === undefined) {
      // A file that appears after we started is new: all of it is unseen.
      open('start')
      drain()
      return
    }
    drain()
    const current = inodeOf(opts.path)
    if (current !== ino) {
      // Rotated: the old file is fully read (drain above), switch to the new one from its start.
      close()
      if (current !== undefined) {
        open('start')
        drain()
      }
      return
    }
    if (fstatSync(fd).size < pos) {
      // Truncated in place: what is there now is new.
      pos = 0
      partial = ''
      drain()
    }
  }

  if (opts.start && inodeOf(opts.path) === opts.start.ino) open(opts.start.offset)
  else open(opts.start ? 'start' : 'end')

  return new Promise<void>((resolve) => {
    let watcher: FSWatcher | undefined
    try {
      const name = basename(opts.path)
      watcher = watch(dirname(opts.path), (_event, file) => {
        if (file === null || String(file).startsWith(name)) tick()
      })
    } catch {
      watcher = undefined // no fs events here (e.g. the directory does not exist yet): poll only
    }
    const timer = setInterval(tick, opts.pollMs ?? 250)
    tick()
    const stop = () => {
      clearInterval(timer)
      watcher?.close()
      close()
      resolve()
    }
    if (opts.signal.aborted) stop()
    else opts.signal.addEventListener('abort', stop, { once: true })
  })
}
