import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createQqChannel } from '../../../src/channels/qq/index.ts'
import type { InboundMessage } from '../../../src/core/channel/channel.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { createRecorder } from '../../fakes/recorder.ts'
import { type QqHarness, startQqHarness } from './harness.ts'

/** The adapter's clock for reply windows; the fake checks windows by its own (long) real-time one. */
let now = Date.now()
let h: QqHarness
const inbound = createRecorder<InboundMessage>()

beforeAll(async () => {
  h = await startQqHarness({ heartbeatMs: 100, now: () => now })
  await h.channel.connect({ onInbound: (m) => inbound.record(m), onStatus: () => {} })
})
afterAll(async () => {
  await h.channel.disconnect()
  await h.stop()
})

const sendsTo = (jid: string) => h.fake.calls.calls.filter((c) => c.jid === jid && c.ok)

test('identify carries the token and the group+C2C intent; heartbeats carry the last sequence and are acked', async () => {
  const identify = await h.fake.ops.waitFor((o) => o.op === 2)
  expect(identify.d).toMatchObject({ intents: 1 << 25, shard: [0, 1] })
  expect(String((identify.d as { token?: string }).token)).toStartWith('QQBot qqtok-')
  const id = h.injectDm('hi')
  await inbound.waitFor((m) => m.messageId === id)
  const beat = await h.fake.ops.waitFor((o) => o.op === 1 && typeof o.d === 'number' && o.d >= 2, 5000)
  expect(beat.d).toBeGreaterThanOrEqual(2)
})

test('replies name the user message with a fresh msg_seq each', async () => {
  const id = h.injectDm('count with me')
  await inbound.waitFor((m) => m.messageId === id)
  await h.channel.send(h.dmJid, 'one')
  await h.channel.send(h.dmJid, 'two')
  const bodies = sendsTo(h.dmJid)
    .slice(-2)
    .map((c) => c.body)
  expect(bodies).toEqual([
    { content: 'one', msg_type: 0, msg_id: id, msg_seq: 1 },
    { content: 'two', msg_type: 0, msg_id: id, msg_seq: 2 },
  ])
})

test('a dropped connection resumes the session and what was missed is replayed; a repeat is dropped', async () => {
  const identifies = h.fake.ops.calls.filter((o) => o.op === 2).length
  h.fake.dropConnection()
  const missed = h.injectDm('sent while the socket was down')
  const resume = await h.fake.ops.waitFor((o) => o.op === 6, 10_000)
  expect(resume.d).toMatchObject({ session_id: expect.stringMatching(/^sess-/) })
  expect(await inbound.waitFor((m) => m.messageId === missed, 10_000)).toMatchObject({ isGroup: false })
  // A reconnect request (op 7) resumes too; the event dispatched again is handed on with the same key,
  // and the pipeline's persist step (one dedupe, keyed by chat and message id) stores it once.
  h.fake.sendReconnect()
  await h.fake.ops.waitForCount((o) => o.op === 6, 2, 10_000)
  h.fake.redeliver(missed)
  const marker = h.injectDm('marker')
  await inbound.waitFor((m) => m.messageId === marker, 10_000)
  const handedOn = inbound.calls.filter((m) => m.messageId === missed)
  expect(handedOn.length).toBeGreaterThanOrEqual(2)
  expect(new Set(handedOn.map((m) => m.jid)).size).toBe(1)
  expect(h.fake.ops.calls.filter((o) => o.op === 2)).toHaveLength(identifies)
})

test('heartbeats that go unanswered close the zombie connection and resume', async () => {
  const resumes = h.fake.ops.calls.filter((o) => o.op === 6).length
  h.fake.stopAcking()
  const missed = h.injectDm('while the link was half-open')
  await h.fake.ops.waitForCount((o) => o.op === 6, resumes + 1, 10_000)
  h.fake.resumeAcking()
  expect(await inbound.waitFor((m) => m.messageId === missed, 10_000)).toMatchObject({ isGroup: false })
})

test('an invalid session makes the client identify afresh', async () => {
  const identifies = h.fake.ops.calls.filter((o) => o.op === 2).length
  h.fake.sendInvalidSession()
  await h.fake.ops.waitForCount((o) => o.op === 2, identifies + 1, 10_000)
  const id = h.injectDm('after a new session')
  await inbound.waitFor((m) => m.messageId === id, 10_000)
})

test('a long turn that outlives the group window tells the user, and the answer follows their next message', async () => {
  const first = h.injectGroup('think hard', { mention: true })
  await inbound.waitFor((m) => m.messageId === first)
  // The agent is still working 4.5 minutes later: the typing refresh spends one reply on a notice.
  now += 4.5 * 60_000
  await h.channel.setTyping?.(h.groupJid, true)
  const notice = sendsTo(h.groupJid).at(-1)
  expect(notice?.body).toMatchObject({ msg_id: first, msg_seq: 1 })
  expect(notice?.text).toContain('5 min')
  // The answer comes after the window closed: it is held, not sent (QQ would refuse it).
  now += 60_000
  const before = h.fake.calls.calls.length
  expect(await h.channel.send(h.groupJid, 'the considered answer')).toEqual({})
  expect(h.fake.calls.calls.length).toBe(before)
  expect(h.channel.heldFor(h.groupJid)).toBe(1)
  const next = h.injectGroup('any news?', { mention: true })
  await inbound.waitFor((m) => m.messageId === next)
  const answer = await h.fake.calls.waitFor((c) => c.text === 'the considered answer' && c.ok)
  expect(answer.body).toMatchObject({ msg_id: next, msg_seq: 1 })
  expect(h.channel.heldFor(h.groupJid)).toBe(0)
})

test('after 5 replies to one message the rest waits for the next message', async () => {
  const id = h.injectDm('five max')
  await inbound.waitFor((m) => m.messageId === id)
  for (const n of [1, 2, 3, 4, 5, 6]) await h.channel.send(h.dmJid, `part ${n}`)
  expect(sendsTo(h.dmJid).filter((c) => c.body.msg_id === id)).toHaveLength(5)
  expect(h.channel.heldFor(h.dmJid)).toBe(1)
  const next = h.injectDm('go on')
  await inbound.waitFor((m) => m.messageId === next)
  expect((await h.fake.calls.waitFor((c) => c.text === 'part 6' && c.ok)).body.msg_id).toBe(next)
})

test('an expired token is renewed and the same reply goes through', async () => {
  const id = h.injectDm('token test')
  await inbound.waitFor((m) => m.messageId === id)
  h.fake.expireTokens()
  await h.channel.send(h.dmJid, 'after expiry')
  const tries = h.fake.calls.calls.filter((c) => c.text === 'after expiry')
  expect(tries.map((c) => [c.status, c.ok])).toEqual([
    [401, false],
    [200, true],
  ])
  expect(tries[1]?.token).not.toBe(tries[0]?.token)
})

test('wrong app credentials fail connect with advice naming the settings', async () => {
  const bad = createQqChannel({
    appId: h.fake.appId,
    appSecret: 'wrong',
    apiBase: h.fake.apiBase,
    tokenUrl: h.fake.tokenUrl,
    assistantName: 'Andy',
    log: createMemoryLogger(),
  })
  const err = await bad.connect({ onInbound: () => {}, onStatus: () => {} }).catch((e: unknown) => e)
  expect((err as Error).message).toContain('QQ_APP_SECRET')
  expect(bad.health()).toMatchObject({ status: 'error' })
  await bad.disconnect()
})
