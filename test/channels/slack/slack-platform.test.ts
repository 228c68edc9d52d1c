import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createSlackChannel } from '../../../src/channels/slack/index.ts'
import type { InboundMessage } from '../../../src/core/channel/channel.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { createRecorder } from '../../fakes/recorder.ts'
import type { SlackFake } from '../../fakes/slack.ts'
import { startSlackFake } from '../../fakes/slack.ts'

let fake: SlackFake
const inbound = createRecorder<InboundMessage>()
/** How many acks the fake had when each message reached the pipeline. */
const acksAtInbound = new Map<string, number>()
let channel: ReturnType<typeof createSlackChannel>

beforeAll(async () => {
  fake = startSlackFake()
  channel = createSlackChannel({
    botToken: fake.botToken,
    appToken: fake.appToken,
    apiUrl: fake.apiUrl,
    assistantName: 'Andy',
    log: createMemoryLogger(),
    pingTimeoutMs: 300,
  })
  await channel.connect({
    onInbound: (m) => {
      acksAtInbound.set(m.messageId, fake.acks.calls.length)
      inbound.record(m)
    },
    onStatus: () => {},
  })
})
afterAll(async () => {
  await channel.disconnect()
  await fake.stop()
})

test('events are acked before they are processed, and message + app_mention answer once', async () => {
  const ts = fake.injectMessage({
    channel: 'C1',
    user: 'U1',
    text: 'hi',
    channelType: 'channel',
    mention: true,
  })
  await fake.acks.waitForCount(() => true, 2)
  const m = await inbound.waitFor((x) => x.messageId === ts)
  expect(acksAtInbound.get(ts)).toBeGreaterThanOrEqual(1)
  expect(m).toMatchObject({
    jid: 'slack:C1',
    text: '@Andy hi',
    mentionsBot: true,
    isGroup: true,
    senderName: 'user-U1',
  })
  // The second envelope (the plain `message`) must not produce another inbound.
  const marker = fake.injectMessage({ channel: 'C1', user: 'U1', text: 'marker', channelType: 'channel' })
  await inbound.waitFor((x) => x.messageId === marker)
  expect(inbound.calls.filter((x) => x.messageId === ts)).toHaveLength(1)
})

test('a thread reply carries the thread in its JID, and sends go into the thread', async () => {
  const ts = fake.injectMessage({
    channel: 'C1',
    user: 'U1',
    text: 'in thread',
    channelType: 'channel',
    threadTs: '1700000000.000100',
  })
  const m = await inbound.waitFor((x) => x.messageId === ts)
  expect(m).toMatchObject({ jid: 'slack:C1#1700000000.000100', threadId: '1700000000.000100' })
  await channel.send(m.jid, 'threaded answer')
  const call = await fake.calls.waitFor(
    (c) => c.method === 'chat.postMessage' && c.body.text === 'threaded answer',
  )
  expect(call.body).toMatchObject({ channel: 'C1', thread_ts: '1700000000.000100' })
})

test('a slash command arrives as a message addressed to the bot', async () => {
  const id = fake.injectSlashCommand({ command: '/help', channel: 'C1', user: 'U1' })
  expect(await inbound.waitFor((x) => x.messageId === id)).toMatchObject({
    jid: 'slack:C1',
    text: '/help',
    mentionsBot: true,
  })
})

test('a disconnect request from Slack reconnects through apps.connections.open', async () => {
  const opens = fake.calls.calls.filter((c) => c.method === 'apps.connections.open').length
  fake.sendDisconnect()
  await fake.calls.waitForCount((c) => c.method === 'apps.connections.open', opens + 1, 10_000)
  const ts = fake.injectMessage({ channel: 'D1', user: 'U1', text: 'after refresh', channelType: 'im' })
  expect(await inbound.waitFor((x) => x.messageId === ts, 10_000)).toMatchObject({
    isGroup: false,
    jid: 'slack:D1',
  })
})
