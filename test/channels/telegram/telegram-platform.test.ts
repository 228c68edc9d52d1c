import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createTelegramChannel } from '../../../src/channels/telegram/index.ts'
import type { InboundMessage } from '../../../src/core/channel/channel.ts'
import { ChannelError } from '../../../src/core/errors.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { createRecorder } from '../../fakes/recorder.ts'
import type { TelegramFake } from '../../fakes/telegram.ts'
import { startTelegramFake } from '../../fakes/telegram.ts'

const ann = { id: 4242, first_name: 'Ann' }
const forum = { id: -1005555, type: 'supergroup' as const, title: 'forum', is_forum: true }
let fake: TelegramFake
const inbound = createRecorder<InboundMessage>()
const make = (token: string, apiRoot: string) =>
  createTelegramChannel({
    token,
    apiRoot,
    assistantName: 'Andy',
    log: createMemoryLogger(),
    pollTimeoutSeconds: 5,
  })
let channel: ReturnType<typeof make>

beforeAll(async () => {
  fake = startTelegramFake()
  channel = make(fake.token, fake.apiRoot)
  await channel.connect({ onInbound: (m) => inbound.record(m), onStatus: () => {} })
})
afterAll(async () => {
  await channel.disconnect()
  await fake.stop()
})

test('a forum topic is part of the JID, and replies go back into the topic', async () => {
  const id = fake.injectMessage({ chat: forum, from: ann, text: 'in a topic', topicId: 77 })
  const m = await inbound.waitFor((x) => x.messageId === String(id))
  expect(m).toMatchObject({ jid: 'telegram:-1005555#77', threadId: '77', isGroup: true, chatName: 'forum' })
  await channel.send(m.jid, 'answer', { replyTo: m.messageId })
  const call = await fake.calls.waitFor((c) => c.method === 'sendMessage' && c.body.text === 'answer')
  expect(call.body).toMatchObject({
    chat_id: -1005555,
    message_thread_id: 77,
    parse_mode: 'HTML',
    reply_parameters: { message_id: id },
  })
})

test('a command addressed to the bot and a reply to the bot both mention it', async () => {
  const cmd = fake.injectMessage({
    chat: forum,
    from: ann,
    text: `/help@${fake.bot.username}`,
    entities: [{ type: 'bot_command', offset: 0, length: 6 + fake.bot.username.length }],
  })
  expect(await inbound.waitFor((x) => x.messageId === String(cmd))).toMatchObject({
    text: '/help',
    mentionsBot: true,
  })
  const sent = await channel.send('telegram:-1005555', 'earlier bot message')
  const reply = fake.injectMessage({
    chat: forum,
    from: ann,
    text: 'thanks',
    replyTo: {
      message_id: Number(sent.messageId),
      from: { id: fake.bot.id, first_name: 'Test', is_bot: true },
    },
  })
  expect(await inbound.waitFor((x) => x.messageId === String(reply))).toMatchObject({
    mentionsBot: true,
    replyTo: sent.messageId,
  })
})

test('markdown is sent as HTML; when Telegram cannot parse it, the same words go as plain text', async () => {
  await channel.send('telegram:4242', '**bold** & <b>')
  const html = await fake.calls.waitFor(
    (c) => c.method === 'sendMessage' && c.body.text === '<b>bold</b> &amp; &lt;b&gt;',
  )
  expect(html.status).toBe(200)
  fake.failNext('sendMessage', { kind: 'parse_error' })
  await channel.send('telegram:4242', '**again**')
  const calls = fake.calls.calls.filter((c) => c.method === 'sendMessage').slice(-2)
  expect(calls.map((c) => [c.status, c.body.text, c.body.parse_mode])).toEqual([
    [400, '<b>again</b>', 'HTML'],
    [200, 'again', undefined],
  ])
})

test('a rejected token fails connect with a non-retryable error and reports it', async () => {
  const bad = make('1:wrong', fake.apiRoot)
  const statuses: string[] = []
  const err = await bad
    .connect({ onInbound: () => {}, onStatus: (s) => statuses.push(s.status) })
    .catch((e: unknown) => e)
  expect(err).toBeInstanceOf(ChannelError)
  expect(err).toMatchObject({ retryable: false })
  expect(bad.health().status).toBe('error')
  expect(statuses).toContain('error')
})
