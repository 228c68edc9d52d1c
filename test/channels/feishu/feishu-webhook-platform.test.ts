import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { InboundMessage } from '../../../src/core/channel/channel.ts'
import { createRecorder } from '../../fakes/recorder.ts'
import { type FeishuHarness, startFeishuWebhookHarness } from './harness.ts'

let h: FeishuHarness
const inbound = createRecorder<InboundMessage>()

beforeAll(async () => {
  h = await startFeishuWebhookHarness()
  await h.channel.connect({ onInbound: (m) => inbound.record(m), onStatus: () => {} })
})
afterAll(async () => {
  await h.channel.disconnect()
  await h.stop()
})

const receiveEvent = (messageId: string, token: string) => ({
  schema: '2.0',
  header: { event_id: `ev_${messageId}`, event_type: 'im.message.receive_v1', token, app_id: h.fake.appId },
  event: {
    sender: { sender_id: { open_id: 'ou_mallory' }, sender_type: 'user' },
    message: {
      message_id: messageId,
      chat_id: 'oc_dm00000000000000000000001',
      chat_type: 'p2p',
      message_type: 'text',
      content: JSON.stringify({ text: 'forged?' }),
    },
  },
})

test('the URL check answers the challenge only with our verification token', async () => {
  const ok = await h.fake.postEvent(
    { type: 'url_verification', challenge: 'ch-1', token: h.fake.verificationToken },
    { unsigned: true },
  )
  expect(await ok.json()).toEqual({ challenge: 'ch-1' })
  const bad = await h.fake.postEvent(
    { type: 'url_verification', challenge: 'ch-2', token: 'nope' },
    { unsigned: true },
  )
  expect(bad.status).toBe(401)
})

test('an event with a bad or missing signature gets 401, is logged, and never reaches the pipeline', async () => {
  const refusals = () =>
    h.log.records.filter((r) => r.msg.includes('webhook request refused') && r.platform === 'feishu').length
  const logged = refusals()
  const forged = await h.fake.postEvent(receiveEvent('om_forged1', h.fake.verificationToken), {
    signWith: 'wrong',
  })
  expect(forged.status).toBe(401)
  const unsigned = await h.fake.postEvent(receiveEvent('om_forged2', h.fake.verificationToken), {
    unsigned: true,
  })
  expect(unsigned.status).toBe(401)
  expect(refusals() - logged).toBe(2)
  const good = await h.fake.postEvent(receiveEvent('om_signed1', h.fake.verificationToken))
  expect(good.status).toBe(200)
  await inbound.waitFor((m) => m.messageId === 'om_signed1')
  expect(inbound.calls.some((m) => m.messageId.startsWith('om_forged'))).toBe(false)
})

test('a delivery that found ngb down is pushed again and handed over once', async () => {
  h.fake.failNextDelivery()
  const id = h.injectDm('are you there?')
  const m = await inbound.waitFor((x) => x.messageId === id)
  expect(m).toMatchObject({ jid: h.dmJid, text: 'are you there?' })
  const attempts = await h.fake.deliveries.waitForCount((d) => d.messageId === id, 2)
  expect(attempts.map((d) => d.status)).toEqual([0, 200])
})
