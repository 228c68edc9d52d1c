import { describe, expect, test } from 'bun:test'
import { markdownToDiscord } from '../../../src/channels/discord/dialect.ts'
import { splitFences } from '../../../src/channels/shared/markdown.ts'
import { markdownToMrkdwn } from '../../../src/channels/slack/dialect.ts'
import { markdownToTelegramHtml, telegramHtmlToPlain } from '../../../src/channels/telegram/dialect.ts'
import { checkTelegramHtml } from '../../fakes/telegram.ts'

const sample = [
  '# Title',
  'Some **bold**, *italic*, ~~gone~~ and `a < b && c` with [a link](https://example.com/?a=1&b=2).',
  '',
  '> quoted <tag>',
  '- item one',
  '1. first',
  '',
  '| a | b |',
  '|---|---|',
  '| 1 | 2 |',
  '',
  '```ts',
  'if (a < b && c > d) console.log("<b>")',
  '```',
  'snake_case_name stays',
].join('\n')

describe('splitFences', () => {
  test('separates code from text and keeps an unclosed fence as code', () => {
    expect(splitFences('a\n```js\nx\n```\nb\n~~~\nopen')).toEqual([
      { kind: 'text', body: 'a' },
      { kind: 'code', lang: 'js', body: 'x' },
      { kind: 'text', body: 'b' },
      { kind: 'code', lang: '', body: 'open' },
    ])
  })
})

describe('telegram html', () => {
  const html = markdownToTelegramHtml(sample)
  test('is accepted by the Bot API entity rules', () => {
    expect(checkTelegramHtml(html)).toMatchObject({ ok: true })
  })
  test('escapes text and code, maps markup to tags', () => {
    expect(html).toContain('<b>Title</b>')
    expect(html).toContain('<b>bold</b>, <i>italic</i>, <s>gone</s>')
    expect(html).toContain('<code>a &lt; b &amp;&amp; c</code>')
    expect(html).toContain('<a href="https://example.com/?a=1&amp;b=2">a link</a>')
    expect(html).toContain('<blockquote>quoted &lt;tag&gt;</blockquote>')
    expect(html).toContain('• item one')
    expect(html).toContain(
      '<pre><code class="language-ts">if (a &lt; b &amp;&amp; c &gt; d) console.log("&lt;b&gt;")</code></pre>',
    )
    expect(html).toContain('<pre>| a | b |\n|---|---|\n| 1 | 2 |</pre>')
    expect(html).toContain('snake_case_name stays')
  })
  test('plain fallback shows the same words', () => {
    expect(telegramHtmlToPlain(markdownToTelegramHtml('a < b & **c**'))).toBe('a < b & c')
  })
  test('refuses javascript: links', () => {
    expect(markdownToTelegramHtml('[x](javascript:void)')).toBe('x')
  })
})

describe('discord markdown', () => {
  const out = markdownToDiscord(sample)
  test('keeps native markdown and fences, turns tables into code', () => {
    expect(out).toContain('# Title')
    expect(out).toContain('**bold**, *italic*, ~~gone~~ and `a < b && c`')
    expect(out).toContain('```\n| a | b |\n|---|---|\n| 1 | 2 |\n```')
    expect(out).toContain('```ts\nif (a < b && c > d) console.log("<b>")\n```')
    expect(out).toContain('[a link](<https://example.com/?a=1&b=2>)')
  })
  test('deep headings become bold', () => {
    expect(markdownToDiscord('#### Small')).toBe('**Small**')
  })
})

describe('slack mrkdwn', () => {
  const out = markdownToMrkdwn(sample)
  test('maps markup and escapes control characters', () => {
    expect(out).toContain('*Title*')
    expect(out).toContain('*bold*, _italic_, ~gone~ and `a &lt; b &amp;&amp; c`')
    expect(out).toContain('<https://example.com/?a=1&amp;b=2|a link>')
    expect(out).toContain('> quoted &lt;tag&gt;')
    expect(out).toContain('```\nif (a &lt; b &amp;&amp; c &gt; d) console.log("&lt;b&gt;")\n```')
    expect(out).toContain('snake_case_name stays')
  })
})
