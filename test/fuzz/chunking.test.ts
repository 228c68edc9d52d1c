import { describe, expect, test } from 'bun:test'
import { markdownToDiscord } from '../../src/channels/discord/dialect.ts'
import { DISCORD_MAX_MESSAGE_LENGTH } from '../../src/channels/discord/index.ts'
import { markdownToMrkdwn } from '../../src/channels/slack/dialect.ts'
import { SLACK_MAX_MESSAGE_LENGTH } from '../../src/channels/slack/index.ts'
import { markdownToTelegramHtml } from '../../src/channels/telegram/dialect.ts'
import { TELEGRAM_MAX_MESSAGE_LENGTH } from '../../src/channels/telegram/index.ts'
import { chunkText } from '../../src/core/outbound/chunk.ts'
import { checkTelegramHtml } from '../fakes/telegram.ts'
import corpus from './corpus/markdown.json'
import { fencesBalanced, randomMarkdown } from './markdown-gen.ts'
import { forAll } from './prng.ts'

const FENCE_LINE = /^\s{0,3}(`{3,}|~{3,})/

/** Letters and digits in order: what a reader must get, whatever markup or breaks were added. */
const words = (s: string) => [...s.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => m[0]).join('')
const withoutFenceLines = (s: string) =>
  s
    .split('\n')
    .filter((l) => !FENCE_LINE.test(l))
    .join('\n')
const hasLoneSurrogate = (s: string) =>
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)

interface Platform {
  name: string
  limit: number
  /** What the outbound path chunks (Discord/Slack: the converted text; Telegram: Markdown). */
  format(md: string): string
  /** The wire text of one chunk and its length in the platform's unit (Infinity if refused). */
  wireLength(chunk: string): number
  balanced(chunk: string): boolean
}

const PLATFORMS: Platform[] = [
  {
    name: 'telegram',
    limit: TELEGRAM_MAX_MESSAGE_LENGTH,
    format: (md) => md,
    wireLength: (chunk) => {
      const r = checkTelegramHtml(markdownToTelegramHtml(chunk))
      return r.ok ? r.visible.length : Number.POSITIVE_INFINITY
    },
    balanced: (chunk) => checkTelegramHtml(markdownToTelegramHtml(chunk)).ok,
  },
  {
    name: 'discord',
    limit: DISCORD_MAX_MESSAGE_LENGTH,
    format: markdownToDiscord,
    wireLength: (c) => c.length,
    balanced: fencesBalanced,
  },
  {
    name: 'slack',
    limit: SLACK_MAX_MESSAGE_LENGTH,
    format: markdownToMrkdwn,
    wireLength: (c) => c.length,
    balanced: fencesBalanced,
  },
]

const EMPTY_BLOCK_CHUNK = /^\s*(`{3,}|~{3,})[^\n]*\n\s*(`{3,}|~{3,})\s*$/
const EMPTY_BLOCK_IN_TEXT = /(^|\n)\s*(`{3,}|~{3,})[^\n]*\n\s*(`{3,}|~{3,})\s*(\n|$)/

function checkChunks(text: string, chunks: string[], limit: number, p?: Platform) {
  expect(words(withoutFenceLines(chunks.join('\n')))).toBe(words(withoutFenceLines(text)))
  for (const [i, c] of chunks.entries()) {
    expect(c.length).toBeLessThanOrEqual(limit)
    expect(c.trim()).not.toBe('')
    expect(hasLoneSurrogate(c)).toBe(false)
    // Only the last chunk may end inside a fence, and only when the text itself never closes it.
    if (i < chunks.length - 1 || fencesBalanced(text)) expect(fencesBalanced(c)).toBe(true)
    // A chunk that is nothing but an empty code block shows the user a blank box (unless they were sent one).
    if (!EMPTY_BLOCK_IN_TEXT.test(text)) expect(EMPTY_BLOCK_CHUNK.test(c)).toBe(false)
    if (p) {
      expect(p.wireLength(c)).toBeLessThanOrEqual(p.limit)
      expect(p.balanced(c)).toBe(true)
    }
  }
}

describe('markdown chunking (property)', () => {
  test.each(PLATFORMS.map((p) => [p.name, p] as const))(
    '%s: no text lost, every chunk under the limit, fences balanced in each',
    async (_name, p) => {
      await forAll(`chunking ${p.name}`, 150, (rng) => {
        const md = randomMarkdown(rng, p.limit * 3)
        const formatted = p.format(md)
        checkChunks(formatted, chunkText(formatted, p.limit), p.limit, p)
      })
    },
  )

  test('small random limits (the edge cases of the splitter)', async () => {
    await forAll('chunking small limits', 1500, (rng) => {
      // Fence lines stay whole, so the floor is a little above the longest generated opener.
      const limit = rng.int(24, 200)
      const md = randomMarkdown(rng, limit * 4)
      checkChunks(md, chunkText(md, limit), limit)
    })
  })

  test.each(corpus)('corpus %#: %p', (md) => {
    for (const p of PLATFORMS) {
      for (const limit of [24, 40, p.limit]) {
        const formatted = p.format(md)
        checkChunks(formatted, chunkText(formatted, limit), limit, limit === p.limit ? p : undefined)
      }
    }
  })
})
