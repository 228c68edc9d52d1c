import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs'

const CHUNK_BYTES = 64 * 1024

export interface FileTail {
  /** Matching lines, oldest first. */
  lines: string[]
  /** Byte offset just after the last complete line: where following starts. */
  endOffset: number
  ino: number
}

/**
 * The last `n` lines of one file that satisfy `keep`, read backwards in chunks so a large log costs
 * only what is shown. A trailing line without its newline is a write in progress and is left for
 * the follower.
 */
export function tailFile(
  path: string,
  n: number,
  keep: (line: string) => boolean,
  chunkBytes = CHUNK_BYTES,
): FileTail {
  const fd = openSync(path, 'r')
  try {
    const st = fstatSync(fd)
    let pos = st.size
    let carry = Buffer.alloc(0)
    const found: string[] = []
    let endOffset = st.size
    let sawEnd = false
    while (pos > 0 && (found.length < n || !sawEnd)) {
      const len = Math.min(chunkBytes, pos)
      pos -= len
      const chunk = Buffer.alloc(len)
      readSync(fd, chunk, 0, len, pos)
      let buf = Buffer.concat([chunk, carry])
      if (!sawEnd) {
        const lastNl = buf.lastIndexOf(0x0a)
        if (lastNl === -1 && pos > 0) {
          carry = buf
          continue
        }
        sawEnd = true
        endOffset = pos + lastNl + 1
        buf = buf.subarray(0, lastNl + 1)
      }
      // buf ends at a newline. Unless buf starts the file, its first line may begin in an earlier
      // chunk: carry it over and read only the lines after it.
      const firstNl = pos > 0 ? buf.indexOf(0x0a) : -1
      carry = buf.subarray(0, firstNl + 1)
      const lines = buf
        .subarray(firstNl + 1)
        .toString('utf8')
        .split('\n')
      lines.pop()
      for (let i = lines.length - 1; i >= 0 && found.length < n; i--) {
        const line = lines[i] ?? ''
        if (line !== '' && keep(line)) found.push(line)
      }
    }
    if (!sawEnd) endOffset = 0
    return { lines: found.reverse(), endOffset, ino: st.ino }
  } finally {
    closeSync(fd)
  }
}

/**
 * The last `n` matching lines across `path` and its rotations (`path.1` is older than `path`), oldest
 * first. Returns where to start following the live file; a missing live file yields offset 0.
 */
export function tailLog(
  path: string,
  n: number,
  keep: (line: string) => boolean,
  maxRotations = 100,
): FileTail {
  const live = existsSync(path) ? tailFile(path, n, keep) : { lines: [], endOffset: 0, ino: 0 }
  let lines = live.lines
  for (let i = 1; i <= maxRotations && lines.length < n; i++) {
    const rotated = `${path}.${i}`
    if (!existsSync(rotated)) break
    lines = [...tailFile(rotated, n - lines.length, keep).lines, ...lines]
  }
  return { lines, endOffset: live.endOffset, ino: live.ino }
}
