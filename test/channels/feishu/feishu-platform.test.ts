import { afterAll, beforeAll, expect, test } from 'bun:test'
import { fromReceiveEvent } from '../../../src/channels/feishu/inbound.ts'
import { createFeishuChannel } from '../../../src/channels/feishu/index.ts'
import { probeFeishu } from '../../../src/channels/feishu/probe.ts'
import type { ChannelHealth, InboundMessage } from '../../../src/core/channel/channel.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { type FeishuFake, startFeishuFake } from '../../fakes/feishu.ts'
import { createRecorder } from '../../fakes/recorder.ts'
import { cardText } from './harness.ts'

let fake: FeishuFake
const inbound = createRecorder<InboundMessage>()
let channel: ReturnType<typeof createFeishuChannel>

beforeAll(async () => {
  fake = startFeishuFake()
  channel = createFeishuChannel({
    appId: fake.appId,
    appSecret: fake.appSecret,
    domain: fake.domain,
    assistantName: 'Andy',
    log: createMemoryLogger(),
  })
  await channel.connect({ onInbound: (m) => inbound.record(m), onStatus: () => {} })
})
afterAll(async () => {
  await channel.disconnect()
  await fake.stop()
})

test('events are acked with code 200 over the protobuf long connection; mentions resolve to @<assistant>', async () => {
  const id = fake.injectMessage({
    chatId: 'oc_g1',
    chatType: 'group',
    openId: 'ou_x',
    text: 'hi',
    mention: true,
  })
  const m = await inbound.waitFor((x) => x.messageId === id)
  expect(m).toMatchObject({ jid: 'feishu:oc_g1', text: '@Andy hi', mentionsBot: true, isGroup: true })
  expect(m.senderJid).toBe('feishu:user:ou_x')
  await fake.acks.waitFor((a) => a.messageId.includes(id) && a.code === 200)
})

test('an expired tenant token is replaced and the message still goes out, once', async () => {
  await channel.send('feishu:oc_g1', 'before')
  const issued = fake.tokensIssued()
  fake.expireTokens()
  await channel.send('feishu:oc_g1', 'after **expiry**')
  expect(fake.tokensIssued()).toBe(issued + 1)
  const sends = fake.calls.calls.filter((c) => c.path === '/open-apis/im/v1/messages')
  expect(sends.slice(-2).map((c) => [c.code, cardText(c)])).toEqual([
    [99991663, 'after **expiry**'],
    [0, 'after **expiry**'],
  ])
})

test('receive_id_type follows the id prefix, and a thread is answered inside it', async () => {
  await channel.send('feishu:user:ou_someone', 'dm by open id')
  await channel.send('feishu:on_union1', 'dm by union id')
  const creates = fake.calls.calls.filter((c) => c.path === '/open-apis/im/v1/messages').slice(-2)
  expect(creates.map((c) => [c.query.receive_id_type, c.body.receive_id, c.body.msg_type])).toEqual([
    ['open_id', 'ou_someone', 'interactive'],
    ['union_id', 'on_union1', 'interactive'],
  ])
  const id = fake.injectMessage({
    chatId: 'oc_g1',
    chatType: 'group',
    openId: 'ou_x',
    text: 'in topic',
    mention: true,
    rootId: 'om_root9',
  })
  const m = await inbound.waitFor((x) => x.messageId === id)
  expect(m.jid).toBe('feishu:oc_g1#om_root9')
  await channel.send(m.jid, 'threaded answer')
  expect(fake.calls.calls.at(-1)).toMatchObject({
    path: '/open-apis/im/v1/messages/om_root9/reply',
    body: { reply_in_thread: true, msg_type: 'interactive' },
  })
})

test('the typing reaction is added once per message and removed when the turn ends', async () => {
  const id = fake.injectMessage({ chatId: 'oc_dm9', chatType: 'p2p', openId: 'ou_y', text: 'work' })
  await inbound.waitFor((x) => x.messageId === id)
  await channel.setTyping?.('feishu:oc_dm9', true)
  await channel.setTyping?.('feishu:oc_dm9', true)
  await channel.setTyping?.('feishu:oc_dm9', false)
  const reactions = fake.calls.calls.filter((c) =>
    c.path.startsWith(`/open-apis/im/v1/messages/${id}/reactions`),
  )
  expect(reactions.map((c) => c.method)).toEqual(['POST', 'DELETE'])
})

test('a wrong app secret fails connect with Feishu’s reason and shows as an error', async () => {
  const statuses: ChannelHealth[] = []
  const wrong = createFeishuChannel({
    appId: fake.appId,
    appSecret: 'nope',
    domain: fake.domain,
    assistantName: 'Andy',
    log: createMemoryLogger(),
  })
  const err = await wrong.connect({ onInbound: () => {}, onStatus: (s) => statuses.push(s) }).catch((e) => e)
  expect(String(err)).toContain('FEISHU_APP_SECRET')
  expect(String(err)).toContain('10014')
  expect(statuses.at(-1)?.status).toBe('error')
  await wrong.disconnect()
})

test('a quoted reply in the chat stays in the chat; only a thread message gets a thread JID', () => {
  const quoted = {
    sender: { sender_id: { open_id: 'ou_x' }, sender_type: 'user' },
    message: {
      message_id: 'om_q1',
      root_id: 'om_first',
      parent_id: 'om_first',
      chat_id: 'oc_g1',
      chat_type: 'group',
      message_type: 'text',
      content: JSON.stringify({ text: 'as I said' }),
    },
  }
  expect(fromReceiveEvent(quoted, { botOpenId: 'ou_bot', assistantName: 'Andy' })).toMatchObject({
    jid: 'feishu:oc_g1',
    replyTo: 'om_first',
  })
  const inThread = { ...quoted, message: { ...quoted.message, thread_id: 'omt_1' } }
  expect(fromReceiveEvent(inThread, { botOpenId: 'ou_bot', assistantName: 'Andy' })?.jid).toBe(
    'feishu:oc_g1#om_first',
  )
})

test('senders are named through the contact API; without the permission the open_id stands in, asked once', async () => {
  fake.setUserName('ou_named', 'Zhang San')
  const a = fake.injectMessage({ chatId: 'oc_n1', chatType: 'p2p', openId: 'ou_named', text: 'hi' })
  expect((await inbound.waitFor((x) => x.messageId === a)).senderName).toBe('Zhang San')
  const b = fake.injectMessage({ chatId: 'oc_n1', chatType: 'p2p', openId: 'ou_hidden', text: 'one' })
  const c = fake.injectMessage({ chatId: 'oc_n1', chatType: 'p2p', openId: 'ou_hidden', text: 'two' })
  expect((await inbound.waitFor((x) => x.messageId === b)).senderName).toBe('ou_hidden')
  expect((await inbound.waitFor((x) => x.messageId === c)).senderName).toBe('ou_hidden')
  expect(fake.calls.calls.filter((x) => x.path.endsWith('/users/ou_hidden'))).toHaveLength(1)
})

test('the doctor probe: a tenant token for the right secret, bad credentials named for a wrong one', async () => {
  expect(
    await probeFeishu({ appId: fake.appId, appSecret: fake.appSecret, domain: fake.domain }),
  ).toMatchObject({
    ok: true,
  })
  expect(await probeFeishu({ appId: fake.appId, appSecret: 'nope', domain: fake.domain })).toMatchObject({
    ok: false,
    detail: expect.stringContaining('bad credentials: code 10014'),
    hint: expect.stringContaining('FEISHU_APP_SECRET'),
  })
})
