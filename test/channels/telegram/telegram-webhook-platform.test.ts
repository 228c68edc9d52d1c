import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createTelegramChannel } from '../../../src/channels/telegram/index.ts'
import type { InboundMessage } from '../../../src/core/channel/channel.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { createRecorder } from '../../fakes/recorder.ts'
import type { TelegramFake } from '../../fakes/telegram.ts'
import { startTelegramFake } from '../../fakes/telegram.ts'

let fake: TelegramFake
let port = 0
const inbound = createRecorder<InboundMessage>()
let channel: ReturnType<typeof createTelegramChannel>
const ann = { id: 4242, first_name: 'Ann' }
const dm = { id: 4242, type: 'private' as const, first_name: 'Ann' }

beforeAll(async () => {
  fake = startTelegramFake()
  const probe = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
  port = probe.port ?? 0
  await probe.stop(true)
  channel = createTelegramChannel({
    token: fake.token,
    apiRoot: fake.apiRoot,
    assistantName: 'Andy',
    log: createMemoryLogger(),
    webhook: { url: `http://127.0.0.1:${port}/hook`, port },
  })
  await channel.connect({ onInbound: (m) => inbound.record(m), onStatus: () => {} })
})
afterAll(async () => {
  await channel.disconnect()
  await fake.stop()
})

test('connect sets the webhook with a secret token and polls nothing', () => {
  expect(fake.webhook()?.url).toBe(`http://127.0.0.1:${port}/hook`)
  expect(fake.webhook()?.secret?.length).toBeGreaterThanOrEqual(32)
  expect(fake.calls.calls.some((c) => c.method === 'getUpdates')).toBe(false)
})

test('a post without the secret token is refused; the real one is delivered', async () => {
  const forged = await fetch(`http://127.0.0.1:${port}/hook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'guess' },
    body: JSON.stringify({
      update_id: 1,
      message: { message_id: 1, date: 0, chat: dm, from: ann, text: 'forged' },
    }),
  })
  expect(forged.status).toBe(401)
  const id = fake.injectMessage({ chat: dm, from: ann, text: 'real' })
  expect(await inbound.waitFor((m) => m.messageId === String(id))).toMatchObject({
    text: 'real',
    jid: 'telegram:4242',
  })
  expect(inbound.calls.some((m) => m.text === 'forged')).toBe(false)
})

test('an update that failed to arrive is posted again and handled once it gets through', async () => {
  await channel.disconnect()
  const id = fake.injectMessage({ chat: dm, from: ann, text: 'while down' })
  await fake.deliveries.waitFor((d) => d.status === 0)
  await channel.connect({ onInbound: (m) => inbound.record(m), onStatus: () => {} })
  expect(await inbound.waitFor((m) => m.messageId === String(id), 5000)).toMatchObject({ text: 'while down' })
})
