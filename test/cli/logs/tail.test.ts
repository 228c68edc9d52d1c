import { describe, expect, test } from 'bun:test'
import { appendFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tailFile, tailLog } from '../../../src/cli/logs/tail.ts'
import { tempDir } from '../../helpers/temp.ts'

/** The obvious, slow answer the chunked reader must agree with. */
function reference(content: string, n: number, keep: (l: string) => boolean) {
  const end = content.lastIndexOf('\n') + 1
  const lines = content
    .slice(0, end)
    .split('\n')
    .slice(0, -1)
    .filter((l) => l !== '' && keep(l))
  return {
    lines: lines.slice(Math.max(0, lines.length - n)),
    endOffset: Buffer.byteLength(content.slice(0, end)),
  }
}

describe('tailFile', () => {
  const dir = tempDir('ngb-tail-')

  test('agrees with a whole-file read for many shapes, chunk sizes and filters', () => {
    let seed = 7
    const rand = (k: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % k
    }
    const file = join(dir, 'prop.log')
    for (let round = 0; round < 300; round++) {
      const lines: string[] = []
      for (let i = rand(12); i > 0; i--)
        lines.push(`${'é'.repeat(rand(3))}line-${round}-${i}-${'x'.repeat(rand(20))}`)
      let content = lines.join('\n')
      if (lines.length && rand(2)) content += '\n'
      if (rand(4) === 0) content += '\n\n'
      writeFileSync(file, content)
      const n = rand(8)
      const keep = rand(2) ? () => true : (l: string) => l.length % 2 === 0
      const got = tailFile(file, n, keep, 1 + rand(16))
      expect({ lines: got.lines, endOffset: got.endOffset }).toEqual(reference(content, n, keep))
    }
  })

  test('leaves a half-written last line for the follower', () => {
    const file = join(dir, 'partial.log')
    writeFileSync(file, 'a\nb\npart')
    expect(tailFile(file, 10, () => true)).toMatchObject({ lines: ['a', 'b'], endOffset: 4 })
  })
})

describe('tailLog', () => {
  test('reaches back into rotated files, oldest first, stopping at the first gap', () => {
    const dir = tempDir('ngb-tail-')
    const path = join(dir, 'ngb.log')
    writeFileSync(`${path}.2`, 'r2-a\nr2-b\n')
    writeFileSync(`${path}.1`, 'r1-a\n')
    writeFileSync(path, 'live-a\nlive-b\n')
    writeFileSync(`${path}.4`, 'beyond-a-gap\n')
    expect(tailLog(path, 4, () => true).lines).toEqual(['r2-b', 'r1-a', 'live-a', 'live-b'])
    expect(tailLog(path, 100, () => true).lines).toEqual(['r2-a', 'r2-b', 'r1-a', 'live-a', 'live-b'])
    expect(tailLog(path, 2, (l) => l.startsWith('r2')).lines).toEqual(['r2-a', 'r2-b'])
  })

  test('with no live file yet the rotations still show and following starts at 0', () => {
    const dir = tempDir('ngb-tail-')
    const path = join(dir, 'ngb.log')
    appendFileSync(`${path}.1`, 'old\n')
    expect(tailLog(path, 5, () => true)).toEqual({ lines: ['old'], endOffset: 0, ino: 0 })
  })
})
