import { describe, expect, test } from 'bun:test'
import { appendFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { followLog } from '../../../src/cli/logs/follow.ts'
import { tailLog } from '../../../src/cli/logs/tail.ts'
import { createRotatingFileSink } from '../../../src/util/log.ts'
import { tempDir } from '../../helpers/temp.ts'
import { waitFor } from '../../helpers/wait.ts'

function startFollowing(path: string, opts: { fromTail?: boolean; pollMs?: number } = {}) {
  const seen: string[] = []
  const abort = new AbortController()
  const start = opts.fromTail ? tailLog(path, 0, () => true) : undefined
  const done = followLog({
    path,
    start: start && { offset: start.endOffset, ino: start.ino },
    signal: abort.signal,
    onLine: (l) => seen.push(l),
    pollMs: opts.pollMs,
  })
  return { seen, stop: () => abort.abort(), done }
}

describe('followLog', () => {
  test('prints only what is appended after it starts, completing half-written lines', async () => {
    const path = join(tempDir('ngb-follow-'), 'ngb.log')
    writeFileSync(path, 'before\nhalf')
    const f = startFollowing(path, { fromTail: true })
    appendFileSync(path, '-done\nnext\n')
    await waitFor(() => f.seen.length >= 2, 'two lines')
    expect(f.seen).toEqual(['half-done', 'next'])
    f.stop()
    await f.done
  })

  test('follows the real rotating sink across several rotations without losing or repeating a line', async () => {
    const path = join(tempDir('ngb-follow-'), 'ngb.log')
    const sink = createRotatingFileSink({ path, maxBytes: 300, maxFiles: 3 })
    sink.write({ ts: 1, level: 'info', msg: 'first' })
    const f = startFollowing(path, { fromTail: true })
    const sent: string[] = []
    for (let i = 0; i < 40; i++) {
      sink.write({ ts: i, level: 'info', msg: `m${i}` })
      sent.push(`m${i}`)
      // Give the follower a chance to see some rotations one by one, and others in bursts.
      if (i % 7 === 0) await waitFor(() => f.seen.length === sent.length, `line m${i}`)
    }
    await waitFor(() => f.seen.length >= sent.length, 'all lines')
    expect(f.seen.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(sent)
    f.stop()
    await f.done
  })

  test('starts over when the file is truncated in place, and picks up a file created later', async () => {
    const dir = tempDir('ngb-follow-')
    const path = join(dir, 'ngb.log')
    const f = startFollowing(path, { fromTail: true })
    writeFileSync(path, 'created-later\n')
    await waitFor(() => f.seen.includes('created-later'), 'the new file')
    writeFileSync(path, '')
    appendFileSync(path, 'x\n')
    await waitFor(() => f.seen.includes('x'), 'the line after truncation')
    renameSync(path, `${path}.1`)
    appendFileSync(`${path}.1`, 'late-in-old\n')
    writeFileSync(path, 'in-new\n')
    await waitFor(() => f.seen.includes('in-new'), 'the new file after a rename')
    expect(f.seen).toEqual(['created-later', 'x', 'late-in-old', 'in-new'])
    f.stop()
    await f.done
  })
})
