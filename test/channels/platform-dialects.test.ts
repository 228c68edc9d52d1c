import { expect, test } from 'bun:test'
import { markdownToDingTalk } from '../../src/channels/dingtalk/dialect.ts'
import { defangUrls, markdownToQq } from '../../src/channels/qq/dialect.ts'
import { markdownToWhatsApp } from '../../src/channels/whatsapp/dialect.ts'

const md = [
  '# Plan',
  '',
  'Use **bold**, *it*, ~~old~~ and `x` — see [docs](https://example.com/a.b).',
  '```ts',
  'const a = 1',
  '```',
].join('\n')

test('WhatsApp: its own markup, headings bold, links spelled out, fences without a language', () => {
  expect(markdownToWhatsApp(md)).toBe(
    [
      '*Plan*',
      '',
      'Use *bold*, _it_, ~old~ and `x` — see docs (https://example.com/a.b).',
      '```',
      'const a = 1',
      '```',
    ].join('\n'),
  )
})

test('DingTalk: its Markdown subset; strike is dropped, links stay links', () => {
  expect(markdownToDingTalk(md)).toBe(
    [
      '# Plan',
      '',
      'Use **bold**, *it*, old and `x` — see [docs](https://example.com/a.b).',
      '```ts',
      'const a = 1',
      '```',
    ].join('\n'),
  )
})

test('QQ: plain text, URLs defanged so QQ does not refuse the message', () => {
  expect(markdownToQq(md)).toBe(
    [
      'Plan',
      '',
      'Use bold, it, old and x — see docs (example[.]com/a[.]b).',
      '```ts',
      'const a = 1',
      '```',
    ].join('\n'),
  )
  expect(defangUrls('go to http://a.io/x.y or https://b.cn.')).toBe('go to a[.]io/x[.]y or b[.]cn.')
})
