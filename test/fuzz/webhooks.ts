import { createTelegramChannel } from '../../src/channels/telegram/index.ts'
import type { InboundMessage } from '../../src/core/channel/channel.ts'
import { createMemoryLogger } from '../../src/util/log.ts'
import { startTelegramFake } from '../fakes/telegram.ts'
import { junk, randomJson } from './gen.ts'
import type { Rng } from './prng.ts'

/**
 * A platform's webhook receiver, running in its real adapter, as the fuzz test drives it. Adding a
 * platform that receives webhooks (Slack Events API, Feishu, DingTalk, …) means adding one entry to
 * WEBHOOK_TARGETS: how to start it, how a genuine request is signed, and what a valid event is.
 */
export interface LiveWebhook {
  url: string
  /** Headers that make `body` authentic (a secret token, or a signature over the body). */
  authentic(body: string): Record<string, string>
  /** Headers a forger could send: missing, wrong, or near-miss credentials. */
  forged(rng: Rng, body: string): Record<string, string>
  /** A valid event with a unique text; the adapter must hand it on exactly once. */
  validEvent(rng: Rng, text: string): string
  /** A structurally plausible event with hostile field values. */
  mangledEvent(rng: Rng): string
  inbound: InboundMessage[]
  stop(): Promise<void>
}

export interface WebhookTarget {
  name: string
  start(): Promise<LiveWebhook>
}

async function freePort(): Promise<number> {
  const probe = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
  const port = probe.port ?? 0
  await probe.stop(true)
  return port
}

const telegram: WebhookTarget = {
  name: 'telegram',
  async start() {
    const fake = startTelegramFake()
    const port = await freePort()
    const url = `http://127.0.0.1:${port}/tg-hook`
    const channel = createTelegramChannel({
      token: fake.token,
      apiRoot: fake.apiRoot,
      assistantName: 'Andy',
      log: createMemoryLogger(),
      webhook: { url, port },
    })
    const inbound: InboundMessage[] = []
    await channel.connect({ onInbound: (m) => void inbound.push(m), onStatus: () => {} })
    const setWebhook = await fake.calls.waitFor((c) => c.method === 'setWebhook')
    const secret = String(setWebhook.body.secret_token)
    let updateId = 1000
    return {
      url,
      authentic: () => ({ 'x-telegram-bot-api-secret-token': secret, 'content-type': 'application/json' }),
      forged: (rng) =>
        rng.pick<Record<string, string>>([
          {},
          { 'x-telegram-bot-api-secret-token': '' },
          { 'x-telegram-bot-api-secret-token': secret.slice(0, -1) },
          { 'x-telegram-bot-api-secret-token': `${secret}x` },
          { 'x-telegram-bot-api-secret-token': junk(rng, 60).replace(/[^\x20-\x7e]/g, '') },
          { 'X-Telegram-Bot-Api-Secret-Token': secret.toUpperCase() },
        ]),
      validEvent: (rng, text) =>
        JSON.stringify({
          update_id: ++updateId,
          message: {
            message_id: updateId,
            date: Math.floor(Date.now() / 1000),
            chat: { id: rng.int(1, 1e9), type: 'private', first_name: 'Fuzz' },
            from: { id: 77, is_bot: false, first_name: 'Fuzz' },
            text,
          },
        }),
      mangledEvent: (rng) =>
        JSON.stringify({
          update_id: rng.pick([++updateId, -1, 0, 1.5, 2 ** 53]),
          message: rng.bool(0.8)
            ? {
                message_id: randomJson(rng, 1),
                date: randomJson(rng, 1),
                chat: rng.bool() ? { id: randomJson(rng, 1), type: randomJson(rng, 1) } : randomJson(rng, 2),
                from: rng.bool()
                  ? { id: randomJson(rng, 1), first_name: randomJson(rng, 1) }
                  : randomJson(rng, 2),
                text: randomJson(rng, 1),
                entities: rng.bool() ? randomJson(rng, 2) : [{ type: 'mention', offset: -5, length: 1e9 }],
                message_thread_id: randomJson(rng, 1),
              }
            : randomJson(rng, 3),
        }),
      inbound,
      async stop() {
        await channel.disconnect()
        await fake.stop()
      },
    }
  },
}

export const WEBHOOK_TARGETS: WebhookTarget[] = [telegram]
