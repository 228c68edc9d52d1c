import { describe, expect, test } from 'bun:test'
import { chunkText } from '../../../src/core/outbound/chunk.ts'

const fencesBalanced = (s: string) => (s.match(/^\s*```/gm) ?? []).length % 2 === 0

describe('chunkText', () => {
  test('short text is one chunk; blank text none', () => {
    expect(chunkText('hello', 10)).toEqual(['hello'])
    expect(chunkText('  \n ', 10)).toEqual([])
  })

  test('splits on line boundaries under the limit and loses nothing', () => {
    const text = Array.from({ length: 50 }, (_, i) => `line number ${i}`).join('\n')
    const chunks = chunkText(text, 100)
    expect(chunks.length).toBeGreaterThan(5)
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(100)
    expect(chunks.join('\n')).toBe(text)
  })

  test('a long line is cut at spaces', () => {
    const text = 'word '.repeat(100).trim()
    const chunks = chunkText(text, 42)
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(42)
    expect(chunks.join(' ')).toBe(text)
  })

  test('never leaves a code fence open: it is closed and reopened with its language', () => {
    const code = Array.from({ length: 40 }, (_, i) => `  console.log(${i})`).join('\n')
    const text = `Here:\n\n\`\`\`ts\n${code}\n\`\`\`\n\nDone.`
    const chunks = chunkText(text, 120)
    expect(chunks.length).toBeGreaterThan(3)
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(120)
      expect(fencesBalanced(c)).toBe(true)
    }
    expect(chunks[1]?.startsWith('```ts')).toBe(true)
    expect(chunks.at(-1)?.endsWith('Done.')).toBe(true)
  })

  test.each([50, 80, 200, 1000])('random markdown stays under %p with balanced fences', (limit) => {
    let text = ''
    for (let i = 0; i < 60; i++) {
      text += i % 7 === 0 ? '```js\nconst x = 1\nconst y = 2\n```\n' : `${'lorem ipsum '.repeat(i % 9)}\n`
    }
    for (const c of chunkText(text, limit)) {
      expect(c.length).toBeLessThanOrEqual(limit)
      expect(fencesBalanced(c)).toBe(true)
    }
  })
})
