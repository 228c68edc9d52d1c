import { afterAll, beforeAll, expect, test } from 'bun:test'
import { probeWecomApp } from '../../../src/channels/wecom-app/probe.ts'
import type { InboundMessage } from '../../../src/core/channel/channel.ts'
import { createRecorder } from '../../fakes/recorder.ts'
import { startWecomAppHarness, type WecomAppHarness } from './harness.ts'

let h: WecomAppHarness
const inbound = createRecorder<InboundMessage>()

beforeAll(async () => {
  h = await startWecomAppHarness()
  await h.channel.connect({ onInbound: (m) => inbound.record(m), onStatus: () => {} })
})
afterAll(async () => {
  await h.channel.disconnect()
  await h.stop()
})

test('the URL verification echoes the decrypted echostr, and only with a valid signature', async () => {
  expect(await h.fake.verifyUrl('echo-12345')).toEqual({ status: 200, body: 'echo-12345' })
  expect((await h.fake.verifyUrl('echo-12345', { signWith: 'wrong-token' })).status).toBe(401)
})

test('a callback with a bad signature is refused with 401, logged, and never reaches the pipeline', async () => {
  const before = inbound.calls.length
  const xml =
    '<xml><FromUserName><![CDATA[mallory]]></FromUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[forged]]></Content><MsgId>1</MsgId></xml>'
  expect(await h.fake.postCallback(xml, { signWith: 'wrong-token' })).toBe(401)
  expect(
    h.log.records.some((r) => r.msg.includes('webhook request refused') && r.platform === 'wecom-app'),
  ).toBe(true)
  // A correctly signed one right after goes through, so the refusal was the signature's.
  expect(await h.fake.postCallback(xml.replace('<MsgId>1', '<MsgId>2'))).toBe(200)
  await inbound.waitFor((m) => m.messageId === '2')
  expect(inbound.calls.slice(before).map((m) => m.messageId)).toEqual(['2'])
})

test('a delivery that found ngb down is retried by WeCom; every retry is handed over with the same key', async () => {
  h.fake.failNextDelivery()
  const id = h.injectDm('are you there?')
  const m = await inbound.waitFor((x) => x.messageId === id)
  expect(m).toMatchObject({ jid: 'wecom-app:user:zhangsan', text: 'are you there?', isGroup: false })
  const attempts = await h.fake.deliveries.waitForCount((d) => d.msgId === id, 2)
  expect(attempts.map((d) => d.status)).toEqual([0, 200])
  await h.redeliver(id)
  await h.fake.deliveries.waitForCount((d) => d.msgId === id, 3)
  // The pipeline's persist step (one dedupe, keyed by chat and message id) stores it once.
  const handedOn = inbound.calls.filter((x) => x.messageId === id)
  expect(handedOn.length).toBeGreaterThanOrEqual(2)
  expect(new Set(handedOn.map((x) => x.jid))).toEqual(new Set(['wecom-app:user:zhangsan']))
})

test('an expired access token is replaced and the message still goes out, once', async () => {
  await h.channel.send(h.dmJid, 'before')
  const issued = h.fake.tokensIssued()
  h.fake.expireTokens()
  await h.channel.send(h.dmJid, 'after expiry')
  expect(h.fake.tokensIssued()).toBe(issued + 1)
  const last = h.fake.calls.calls.slice(-2)
  expect(last.map((c) => [c.errcode, (c.body.markdown as { content: string }).content])).toEqual([
    [42001, 'after expiry'],
    [0, 'after expiry'],
  ])
  expect(h.sent(h.dmJid).filter((t) => t === 'after expiry')).toHaveLength(1)
})

test('the doctor probe: an access token for the right secret, bad credentials named for a wrong one', async () => {
  const base = { corpId: h.fake.corpId, agentId: h.fake.agentId, apiBase: h.fake.apiBase }
  expect(await probeWecomApp({ ...base, corpSecret: h.fake.corpSecret })).toMatchObject({ ok: true })
  expect(await probeWecomApp({ ...base, corpSecret: 'nope' })).toMatchObject({
    ok: false,
    detail: expect.stringContaining('bad credentials'),
    hint: expect.stringContaining('WECOM_CORP_SECRET'),
  })
})
