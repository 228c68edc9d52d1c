import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createDingTalkChannel } from '../../../src/channels/dingtalk/index.ts'
import type { InboundMessage } from '../../../src/core/channel/channel.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { createRecorder } from '../../fakes/recorder.ts'
import { type DingTalkHarness, startDingTalkHarness } from './harness.ts'

let h: DingTalkHarness
const inbound = createRecorder<InboundMessage>()
/** While set, the pipeline does not finish taking messages (a slow database, a long hand-over). */
let hold: Promise<void> | undefined

beforeAll(async () => {
  h = await startDingTalkHarness()
  await h.channel.connect({
    onInbound: async (m) => {
      inbound.record(m)
      await hold
    },
    onStatus: () => {},
  })
})
afterAll(async () => {
  await h.channel.disconnect()
  await h.stop()
})

test('the gateway ping is echoed, and a robot message is acked before it reaches the pipeline', async () => {
  await h.fake.acks.waitFor((a) => a.messageId.startsWith('sys-') && a.code === 200)
  let release = () => {}
  hold = new Promise((r) => {
    release = r
  })
  const callbackAcks = () => h.fake.acks.calls.filter((a) => a.messageId.startsWith('cb-')).length
  const before = callbackAcks()
  const id = h.injectDm('hello')
  const m = await inbound.waitFor((x) => x.messageId === id)
  // The pipeline still holds the message, and the callback is acked all the same.
  await h.fake.acks.waitForCount((a) => a.messageId.startsWith('cb-'), before + 1)
  release()
  hold = undefined
  expect(h.fake.acks.calls.every((a) => a.code === 200)).toBe(true)
  expect(m).toMatchObject({
    jid: 'dingtalk:user:staff-ann',
    senderName: 'Ann',
    isGroup: false,
    mentionsBot: true,
  })
})

test('a reply goes through the session webhook while it is valid, without a token', async () => {
  const id = h.injectDm('via session please')
  await inbound.waitFor((x) => x.messageId === id)
  await h.channel.send(h.dmJid, 'session reply')
  const call = await h.fake.calls.waitFor((c) => c.text === 'session reply')
  expect(call.path).toBe('/robot/sendBySession')
  expect(call.body).toMatchObject({ msgtype: 'markdown', markdown: { title: 'session reply' } })
})

test('once the session webhook expired, the robot API is used with a fresh token; an expired token is renewed without losing the message', async () => {
  h.fake.expireSessions()
  const gid = h.injectGroup('group via api', { mention: true })
  await inbound.waitFor((x) => x.messageId === gid)
  await h.channel.send(h.groupJid, 'api group reply')
  const group = await h.fake.calls.waitFor((c) => c.text === 'api group reply' && c.ok)
  expect(group.path).toBe('/v1.0/robot/groupMessages/send')
  expect(group.body).toMatchObject({ openConversationId: 'cidGROUP1+ab/c==', msgKey: 'sampleMarkdown' })
  const tokens = h.fake.calls.calls.filter((c) => c.path === '/v1.0/oauth2/accessToken').length
  h.fake.expireTokens()
  await h.channel.send(h.dmJid, 'after token expiry')
  const attempts = h.fake.calls.calls.filter((c) => c.text === 'after token expiry')
  // The DM's session webhook was revoked before its stated expiry: refused, then the API, whose
  // token is refused too, so a new token is fetched and the same message sent once more.
  expect(attempts.map((c) => [c.path, c.status, c.ok])).toEqual([
    ['/robot/sendBySession', 200, false],
    ['/v1.0/robot/oToMessages/batchSend', 401, false],
    ['/v1.0/robot/oToMessages/batchSend', 200, true],
  ])
  expect(attempts[2]?.body).toMatchObject({ userIds: ['staff-ann'], robotCode: h.fake.clientId })
  expect(h.fake.calls.calls.filter((c) => c.path === '/v1.0/oauth2/accessToken')).toHaveLength(tokens + 1)
})

test('a disconnect frame makes the client fetch a new ticket and reconnect', async () => {
  const before = h.fake.connections.calls.length
  h.fake.sendDisconnect()
  await h.fake.connections.waitForCount(() => true, before + 1, 10_000)
  const id = h.injectDm('after the reconnect')
  expect(await inbound.waitFor((x) => x.messageId === id, 10_000)).toMatchObject({
    text: 'after the reconnect',
  })
})

test('wrong client credentials fail connect with advice naming the settings', async () => {
  const bad = createDingTalkChannel({
    clientId: h.fake.clientId,
    clientSecret: 'wrong',
    apiBase: h.fake.apiBase,
    assistantName: 'Andy',
    log: createMemoryLogger(),
  })
  const err = await bad.connect({ onInbound: () => {}, onStatus: () => {} }).catch((e: unknown) => e)
  expect((err as Error).message).toContain('DINGTALK_CLIENT_SECRET')
  expect(bad.health()).toMatchObject({ status: 'error' })
  await bad.disconnect()
})
