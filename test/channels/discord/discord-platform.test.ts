import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createDiscordChannel } from '../../../src/channels/discord/index.ts'
import type { InboundMessage } from '../../../src/core/channel/channel.ts'
import { ChannelError } from '../../../src/core/errors.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import type { DiscordFake } from '../../fakes/discord.ts'
import { startDiscordFake } from '../../fakes/discord.ts'
import { createRecorder } from '../../fakes/recorder.ts'

const ann = { id: '4242000000000000001', username: 'ann' }
let fake: DiscordFake
const inbound = createRecorder<InboundMessage>()
const make = (token: string) =>
  createDiscordChannel({
    token,
    apiBase: fake.apiBase,
    assistantName: 'Andy',
    log: createMemoryLogger(),
    readyTimeoutMs: 5000,
  })
let channel: ReturnType<typeof make>

beforeAll(async () => {
  fake = startDiscordFake()
  channel = make(fake.token)
  await channel.connect({ onInbound: (m) => inbound.record(m), onStatus: () => {} })
})
afterAll(async () => {
  await channel.disconnect()
  await fake.stop()
})

test('agent output can ping nobody, and a reply references the message', async () => {
  await channel.send(`discord:${fake.channelId}`, '@everyone look', { replyTo: '123' })
  const call = await fake.calls.waitFor((c) => c.body.content === '@everyone look')
  expect(call.body).toMatchObject({
    allowed_mentions: { parse: [] },
    message_reference: { message_id: '123', fail_if_not_exists: false },
  })
})

test('a thread message belongs to its parent channel, and replies go into the thread', async () => {
  const id = fake.injectMessage({
    channelId: fake.threadId,
    guildId: fake.guildId,
    author: ann,
    content: 'in a thread',
  })
  const m = await inbound.waitFor((x) => x.messageId === id)
  expect(m).toMatchObject({
    jid: `discord:${fake.channelId}#${fake.threadId}`,
    threadId: fake.threadId,
    isGroup: true,
    chatName: 'a thread',
  })
  await channel.send(m.jid, 'into the thread')
  await fake.calls.waitFor(
    (c) => c.path === `/channels/${fake.threadId}/messages` && c.body.content === 'into the thread',
  )
})

test('a reply to the bot mentions it; bot authors are ignored', async () => {
  const bot = fake.injectMessage({
    channelId: fake.channelId,
    guildId: fake.guildId,
    author: { id: '1', username: 'other', bot: true },
    content: 'beep',
  })
  const id = fake.injectMessage({
    channelId: fake.channelId,
    guildId: fake.guildId,
    author: ann,
    content: 'thanks',
    replyToBot: true,
  })
  expect(await inbound.waitFor((x) => x.messageId === id)).toMatchObject({ mentionsBot: true, replyTo: '1' })
  expect(inbound.calls.some((x) => x.messageId === bot)).toBe(false)
})

test('a proactive DM to discord:user:<id> opens the DM channel once', async () => {
  await channel.send(`discord:user:${ann.id}`, 'hello there')
  await channel.send(`discord:user:${ann.id}`, 'again')
  expect(fake.calls.calls.filter((c) => c.path === '/users/@me/channels')).toHaveLength(1)
  await fake.calls.waitFor((c) => c.path === `/channels/9${ann.id}/messages` && c.body.content === 'again')
})

test('a dropped gateway resumes the session (RESUME, not a new IDENTIFY) and replays what was missed', async () => {
  fake.dropConnection()
  const id = fake.injectMessage({
    channelId: fake.channelId,
    guildId: fake.guildId,
    author: ann,
    content: 'sent during the outage',
  })
  await inbound.waitFor((x) => x.messageId === id)
  expect(fake.gateway.calls.filter((f) => f.op === 2)).toHaveLength(1)
  expect(fake.gateway.calls.filter((f) => f.op === 6)).toHaveLength(1)
})

test('a rejected token fails connect with a non-retryable error', async () => {
  const bad = make('wrong.token.x')
  const err = await bad.connect({ onInbound: () => {}, onStatus: () => {} }).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(ChannelError)
  expect(err).toMatchObject({ retryable: false })
  expect(bad.health().status).toBe('error')
})
