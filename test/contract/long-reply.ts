import { expect } from 'bun:test'
import type { ContractHarness } from './channel-contract.ts'

/** A ~10,000-character agent reply: a heading, prose, a 120-line code block, more prose. */
export function longReply(): { markdown: string; code: string[]; sentences: number } {
  const code = Array.from({ length: 120 }, (_, i) => `  const value${i} = compute(${i}) // ${'-'.repeat(20)}`)
  const prose = (from: number, n: number) =>
    Array.from(
      { length: n },
      (_, i) => `Sentence ${from + i} fills the reply.${i % 8 === 7 ? '\n' : ' '}`,
    ).join('')
  const markdown = ['# Report', '', prose(0, 60), '', '```ts', ...code, '```', '', prose(60, 60)].join('\n')
  return { markdown, code, sentences: 120 }
}

/** Every chunk under the platform's limit, fences closed in each, code and prose complete and in order. */
export function expectSplitCorrectly(h: ContractHarness, chunks: string[]): void {
  const { markdown, code, sentences } = longReply()
  expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(markdown.length / h.channel.maxMessageLength))
  for (const c of chunks) {
    expect(h.visibleLength(c)).toBeLessThanOrEqual(h.channel.maxMessageLength)
    expect(h.fencesBalanced(c)).toBe(true)
  }
  expect(chunks.flatMap((c) => h.codeLines(c))).toEqual(code)
  const seen = chunks
    .join('\n')
    .match(/Sentence (\d+)/g)
    ?.map((x) => Number(x.slice(9)))
  expect(seen).toEqual(Array.from({ length: sentences }, (_, i) => i))
}
