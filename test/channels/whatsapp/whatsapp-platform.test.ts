import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createWhatsAppChannel } from '../../../src/channels/whatsapp/index.ts'
import type { InboundMessage } from '../../../src/core/channel/channel.ts'
import { createWebhookRouter } from '../../../src/core/channel/webhooks.ts'
import { ChannelError } from '../../../src/core/errors.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { createRecorder } from '../../fakes/recorder.ts'
import { startWhatsAppHarness, type WhatsAppHarness } from './harness.ts'

let h: WhatsAppHarness
const inbound = createRecorder<InboundMessage>()

beforeAll(async () => {
  h = await startWhatsAppHarness()
  await h.channel.connect({ onInbound: (m) => inbound.record(m), onStatus: () => {} })
})
afterAll(async () => {
  await h.channel.disconnect()
  await h.stop()
})

test('the GET handshake echoes the challenge only for the right verify token', async () => {
  const url = (token: string) =>
    `${h.hookUrl}?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`
  const ok = await fetch(url(h.fake.verifyToken))
  expect(ok.status).toBe(200)
  expect(await ok.text()).toBe('1158201444')
  expect((await fetch(url('guess'))).status).toBe(403)
})

test('a POST with a bad or missing signature is refused with 401 and never reaches the pipeline', async () => {
  const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [] })
  expect(await h.fake.postRaw(body, { secret: 'not-the-app-secret' })).toBe(401)
  expect(await h.fake.postRaw(body, { signature: '' })).toBe(401)
  // A signature over other bytes (the body re-serialised) does not verify either.
  expect(await h.fake.postRaw(`${body} `, { signature: `sha256=${'0'.repeat(64)}` })).toBe(401)
  expect(await h.fake.postRaw(body)).toBe(200)
})

test('a failed delivery is retried by the platform and answered once', async () => {
  h.fake.failNextDelivery()
  const id = h.injectDm('through a retry')
  const m = await inbound.waitFor((x) => x.messageId === id)
  expect(m).toMatchObject({ jid: h.dmJid, text: 'through a retry', senderName: 'Ann' })
  await h.fake.deliveries.waitFor((d) => d.messageId === id && d.status === 200)
  const tries = h.fake.deliveries.calls.filter((d) => d.messageId === id)
  expect(tries.map((d) => d.status)).toEqual([0, 200])
})

test('a group message is a group, a mention of the number becomes @Andy, replies keep the reference', async () => {
  const first = h.injectGroup('lunch?', { mention: false })
  await inbound.waitFor((x) => x.messageId === first)
  const id = h.injectThreadMention('answer this')
  const m = await inbound.waitFor((x) => x.messageId === id)
  expect(m).toMatchObject({ jid: h.groupJid, isGroup: true, mentionsBot: true, text: '@Andy answer this' })
  expect(m.replyTo).toBe(first)
  await h.channel.send(h.groupJid, 'group answer')
  const call = await h.fake.calls.waitFor((c) => (c.body.text as { body?: string })?.body === 'group answer')
  expect(call.body).toMatchObject({ recipient_type: 'group', to: '120363041234567890' })
})

test('outside the 24-hour window the send fails with a message that says why, and is not retried', async () => {
  h.fake.closeWindow('4915112345678')
  const err = await h.channel.send(h.dmJid, 'too late').catch((e: unknown) => e)
  expect(err).toBeInstanceOf(ChannelError)
  expect(err).toMatchObject({ retryable: false })
  expect((err as Error).message).toContain('24 hours')
  expect((err as Error).message).toContain('131047')
  // The user writing again opens the window.
  const id = h.injectDm('back again')
  await inbound.waitFor((x) => x.messageId === id)
  expect(await h.channel.send(h.dmJid, 'in time')).toHaveProperty('messageId')
})

test('messages to one person are paced; other people are not held up', async () => {
  const log = createMemoryLogger()
  const paced = createWhatsAppChannel({
    accessToken: h.fake.accessToken,
    phoneNumberId: h.fake.phoneNumberId,
    verifyToken: 'v',
    appSecret: 's',
    apiBase: h.fake.apiBase,
    hooks: createWebhookRouter({ log }),
    assistantName: 'Andy',
    log,
    // A burst of one, then one message per 400 ms.
    pairRate: { capacity: 1, refillPerSecond: 2.5 },
  })
  await paced.connect({ onInbound: () => {}, onStatus: () => {} })
  const t0 = performance.now()
  await paced.send('whatsapp:111', 'one')
  await paced.send('whatsapp:222', 'other person')
  const otherAt = performance.now() - t0
  await paced.send('whatsapp:111', 'two')
  const secondAt = performance.now() - t0
  await paced.disconnect()
  expect(otherAt).toBeLessThan(300)
  expect(secondAt).toBeGreaterThanOrEqual(350)
})

test('a wrong access token fails connect with "bad credentials" advice and unmounts the webhook', async () => {
  const log = createMemoryLogger()
  const hooks = createWebhookRouter({ log })
  const statuses: string[] = []
  const bad = createWhatsAppChannel({
    accessToken: 'expired',
    phoneNumberId: h.fake.phoneNumberId,
    verifyToken: 'v',
    appSecret: 's',
    apiBase: h.fake.apiBase,
    hooks,
    assistantName: 'Andy',
    log,
  })
  const err = await bad
    .connect({ onInbound: () => {}, onStatus: (s) => statuses.push(s.status) })
    .catch((e) => e)
  expect((err as Error).message).toContain('WHATSAPP_ACCESS_TOKEN')
  expect(bad.health()).toMatchObject({ status: 'error' })
  expect(hooks.mounted('whatsapp')).toBe(false)
})
