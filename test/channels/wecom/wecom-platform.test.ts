import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createWecomChannel } from '../../../src/channels/wecom/index.ts'
import { WECOM_MAX_MESSAGE_BYTES } from '../../../src/channels/wecom/outbound.ts'
import type { ChannelHealth, InboundMessage } from '../../../src/core/channel/channel.ts'
import { chunkToFit } from '../../../src/core/outbound/chunk.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { utf8Length } from '../../../src/util/utf8.ts'
import { createRecorder } from '../../fakes/recorder.ts'
import { contentOf, startWecomFake, type WecomFake } from '../../fakes/wecom.ts'

let fake: WecomFake
const inbound = createRecorder<InboundMessage>()
let channel: ReturnType<typeof createWecomChannel>

beforeAll(async () => {
  fake = startWecomFake()
  channel = createWecomChannel({
    botId: fake.botId,
    secret: fake.secret,
    wsUrl: fake.wsUrl,
    assistantName: 'Andy',
    log: createMemoryLogger(),
    reconnectIntervalMs: 100,
  })
  await channel.connect({ onInbound: (m) => inbound.record(m), onStatus: () => {} })
})
afterAll(async () => {
  await channel.disconnect()
  await fake.stop()
})

test('a reply finishes the stream bubble under the message, typing included; a later one is proactive', async () => {
  const id = fake.injectText({ user: 'wangwu', text: 'hi' })
  const m = await inbound.waitFor((x) => x.messageId === id)
  expect(m).toMatchObject({ jid: 'wecom:user:wangwu', isGroup: false, senderName: 'wangwu' })
  await channel.setTyping?.(m.jid, true)
  await channel.setTyping?.(m.jid, true)
  await channel.send(m.jid, 'first')
  await channel.send(m.jid, 'second')
  const calls = fake.calls.calls.filter((c) => c.jid === m.jid)
  expect(calls.map((c) => [c.cmd, contentOf(c.body)])).toEqual([
    ['aibot_respond_msg', '…'],
    ['aibot_respond_msg', 'first'],
    ['aibot_send_msg', 'second'],
  ])
  // Same stream id and the callback's req_id: the "…" bubble turns into the answer.
  const [typing, answer] = calls
  expect(answer?.reqId).toBe(typing?.reqId ?? '')
  expect(answer?.body.stream).toMatchObject({
    finish: true,
    id: (typing?.body.stream as { id?: string } | undefined)?.id,
  })
  expect(calls[2]?.body).toMatchObject({ chatid: 'wangwu', msgtype: 'markdown' })
})

test('a group @-mention becomes @<assistant>, and the reply goes to the group', async () => {
  const id = fake.injectText({ user: 'zhaoliu', text: '现在几点', groupChatId: 'wrkGRP2' })
  const m = await inbound.waitFor((x) => x.messageId === id)
  expect(m).toMatchObject({
    jid: 'wecom:group:wrkGRP2',
    isGroup: true,
    mentionsBot: true,
    text: '@Andy 现在几点',
  })
  expect(m.senderJid).toBe('wecom:user:zhaoliu')
  await channel.send(m.jid, '十点')
  expect(fake.calls.calls.at(-1)).toMatchObject({ jid: 'wecom:group:wrkGRP2', errcode: 0 })
})

test('chunks are cut at 2048 UTF-8 bytes, not characters, with code fences kept whole', () => {
  const cjk = `${'中文句子。'.repeat(400)}\n\n\`\`\`\n${'代码行\n'.repeat(300)}\`\`\``
  const chunks = chunkToFit(cjk, WECOM_MAX_MESSAGE_BYTES, utf8Length)
  expect(utf8Length(cjk)).toBeGreaterThan(3 * WECOM_MAX_MESSAGE_BYTES)
  for (const c of chunks) {
    expect(utf8Length(c)).toBeLessThanOrEqual(WECOM_MAX_MESSAGE_BYTES)
    expect(c.split('\n').filter((l) => l.startsWith('```')).length % 2).toBe(0)
  }
  expect(chunks.join('').replace(/```|\n/g, '')).toBe(cjk.replace(/```|\n/g, ''))
})

test('a wrong secret is reported as bad credentials, not as a hang', async () => {
  const statuses: ChannelHealth[] = []
  const wrong = createWecomChannel({
    botId: fake.botId,
    secret: 'not-the-secret',
    wsUrl: fake.wsUrl,
    assistantName: 'Andy',
    log: createMemoryLogger(),
    reconnectIntervalMs: 100,
  })
  const err = await wrong.connect({ onInbound: () => {}, onStatus: (s) => statuses.push(s) }).catch((e) => e)
  await wrong.disconnect()
  expect(String(err)).toContain('WECOM_BOT_SECRET')
  expect(statuses.some((s) => s.status === 'error' && s.detail.includes('bad credentials'))).toBe(true)
})
