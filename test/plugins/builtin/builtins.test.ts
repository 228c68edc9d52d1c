import { describe, expect, test } from 'bun:test'
import { compileSafePattern } from '../../../src/core/safe-pattern.ts'
import type { StoredMessage } from '../../../src/core/types.ts'
import { BUILTIN_PLUGINS } from '../../../src/plugins/builtin/index.ts'
import { createPluginManager } from '../../../src/plugins/manager.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { testDb } from '../../helpers/db.ts'
import { storedMessage } from '../../helpers/messages.ts'

let seq = 0
const msg = (text: string, over: Partial<StoredMessage> = {}): StoredMessage =>
  storedMessage(text, { chatJid: 'telegram:1', id: `m${++seq}`, seq, senderJid: 'telegram:u1', ...over })

/** One built-in switched on, with a manual clock and the messages it sends recorded. */
function withBuiltin(name: string, config: Record<string, unknown>) {
  let now = 1_000_000
  const sent: Array<[string, string]> = []
  const manager = createPluginManager({
    log: createMemoryLogger(),
    base: {
      assistantName: 'Andy',
      reply: async (jid, text) => {
        sent.push([jid, text])
      },
    },
    store: testDb().repos.pluginState,
    builtins: BUILTIN_PLUGINS,
    now: () => now,
  })
  manager.setConfig(name, config)
  manager.setEnabled(name, true)
  return {
    manager,
    sent,
    advance: (ms: number) => {
      now += ms
    },
    run: (m: StoredMessage) => manager.host.chain('onMessage', m),
  }
}

describe('rate-limiter', () => {
  test('per chat per minute: the excess is dropped, the user is told once, other chats are not affected', async () => {
    const t = withBuiltin('rate-limiter', { perMinute: 2, perHour: 0 })
    expect(await t.run(msg('1'))).not.toBeNull()
    expect(await t.run(msg('2'))).not.toBeNull()
    expect(await t.run(msg('3'))).toBeNull()
    expect(await t.run(msg('4'))).toBeNull()
    expect(t.sent).toHaveLength(1)
    expect(t.sent[0]?.[0]).toBe('telegram:1')
    expect(await t.run(msg('other chat', { chatJid: 'telegram:2' }))).not.toBeNull()
    t.advance(60_001)
    expect(await t.run(msg('5'))).not.toBeNull()
    // Limited again later: told again, once.
    await t.run(msg('6'))
    expect(await t.run(msg('7'))).toBeNull()
    expect(t.sent).toHaveLength(2)
  })

  test('per hour, and the new limits apply at once when the config is saved', async () => {
    const t = withBuiltin('rate-limiter', { perMinute: 0, perHour: 3, message: 'slow down' })
    for (let i = 0; i < 3; i++) {
      expect(await t.run(msg(`m${i}`))).not.toBeNull()
      t.advance(10 * 60_000)
    }
    expect(await t.run(msg('over'))).toBeNull()
    expect(t.sent).toEqual([['telegram:1', 'slow down']])
    t.manager.setConfig('rate-limiter', { perMinute: 0, perHour: 10 })
    expect(await t.run(msg('now fine'))).not.toBeNull()
    t.advance(60 * 60_000)
  })

  test('in a group only messages addressed to the assistant count', async () => {
    const t = withBuiltin('rate-limiter', { perMinute: 1, perHour: 0 })
    for (let i = 0; i < 5; i++) expect(await t.run(msg(`chatter ${i}`, { isGroup: true }))).not.toBeNull()
    expect(await t.run(msg('@Andy one', { isGroup: true }))).not.toBeNull()
    expect(await t.run(msg('two', { isGroup: true, mentionsBot: true }))).toBeNull()
  })

  test('a bad config is refused with the field named', () => {
    const t = withBuiltin('rate-limiter', {})
    expect(() => t.manager.setConfig('rate-limiter', { perMinute: -1 })).toThrow(/perMinute/)
  })
})

describe('auto-reply', () => {
  test('a matching rule answers in the chat (thread kept) and the agent never sees the message', async () => {
    const t = withBuiltin('auto-reply', {
      rules: [
        { pattern: '^opening hours\\??$', reply: 'We are open 9-17.' },
        { pattern: 'price', reply: 'See the price list.' },
      ],
    })
    expect(await t.run(msg('Opening hours?'))).toBeNull()
    expect(await t.run(msg('what is the PRICE', { threadId: '7' }))).toBeNull()
    expect(await t.run(msg('something else'))).not.toBeNull()
    expect(t.sent).toEqual([
      ['telegram:1', 'We are open 9-17.'],
      ['telegram:1#7', 'See the price list.'],
    ])
  })

  test('patterns that backtrack catastrophically in JS run in linear time; RE2-only syntax is checked on save', async () => {
    const t = withBuiltin('auto-reply', {
      rules: [
        { pattern: '^(a+)+$', reply: 'r1' },
        { pattern: '.*a.*b.*c', reply: 'r2' },
        { pattern: '(\\w+\\s?)*x$', reply: 'r3' },
        { pattern: '^(?:hi|hello)+ there$', reply: 'hey' },
      ],
    })
    const started = performance.now()
    // 'a' × 10,000 then '!': exponential or cubic for a backtracking engine on each of the first three.
    expect(await t.run(msg(`${'a'.repeat(10_000)}!`))).not.toBeNull()
    expect(performance.now() - started).toBeLessThan(1000)
    expect(await t.run(msg('Hellohi there'))).toBeNull()
    expect(t.sent).toEqual([['telegram:1', 'hey']])
    for (const bad of ['(x)\\1', 'a(?=b)', '(']) {
      expect(() => t.manager.setConfig('auto-reply', { rules: [{ pattern: bad, reply: 'r' }] })).toThrow(
        /not a valid regular expression \(RE2 syntax/,
      )
    }
  })

  test('only the first 16 KiB of a message is matched', () => {
    const p = compileSafePattern('tail$', { label: 'rules: the pattern', field: 'rules' })
    expect(p.test(`${'x'.repeat(100)}tail`)).toBe(true)
    expect(p.test(`${'x'.repeat(20_000)}tail`)).toBe(false)
    expect(() => compileSafePattern(' ', { label: 'rules: the pattern', field: 'rules' })).toThrow(
      'rules: the pattern must not be empty',
    )
  })
})

describe('mention', () => {
  test('aliases and platform mention tokens become @<assistant>, and the message counts as a mention', async () => {
    const t = withBuiltin('mention', { aliases: ['andy_bot', '<@U042>', '<@123456>'] })
    expect(await t.run(msg('@andy_bot status?'))).toMatchObject({ text: '@Andy status?', mentionsBot: true })
    expect((await t.run(msg('<@U042|andy> deploy')))?.text).toBe('@Andy deploy')
    expect((await t.run(msg('hey <@!123456> look')))?.text).toBe('hey @Andy look')
    expect((await t.run(msg('@ANDY hi')))?.text).toBe('@Andy hi')
  })

  test('other names are left alone, including longer names that start with the assistant name', async () => {
    const t = withBuiltin('mention', { aliases: ['andy_bot'] })
    const m = msg('@AndyBot and @andy_bot2 and @bob')
    expect(await t.run(m)).toEqual(m)
  })
})
