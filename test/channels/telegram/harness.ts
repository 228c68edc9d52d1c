import { createTelegramChannel } from '../../../src/channels/telegram/index.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import type { ContractHarness } from '../../contract/channel-contract.ts'
import { sentReaders } from '../../contract/sent.ts'
import { checkTelegramHtml, startTelegramFake, type TelegramCall } from '../../fakes/telegram.ts'

const user = { id: 4242, first_name: 'Ann', username: 'ann' }
const group = { id: -1001234, type: 'supergroup' as const, title: 'devs' }

async function freePort(): Promise<number> {
  const probe = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
  const port = probe.port ?? 0
  await probe.stop(true)
  return port
}

/**
 * The Telegram adapter wired to its wire fake, as the channel contract and the pipeline tests use
 * it: long polling by default, or webhook mode (the fake then POSTs updates to the adapter).
 */
export async function startTelegramHarness(opts: { webhook?: boolean } = {}): Promise<ContractHarness> {
  const fake = startTelegramFake()
  const hookPort = opts.webhook ? await freePort() : 0
  const channel = createTelegramChannel({
    token: fake.token,
    apiRoot: fake.apiRoot,
    assistantName: 'Andy',
    log: createMemoryLogger(),
    pollTimeoutSeconds: 5,
    reconnect: { baseMs: 50, maxMs: 500 },
    webhook: opts.webhook ? { url: `http://127.0.0.1:${hookPort}/telegram-hook`, port: hookPort } : undefined,
  })
  /** The chat (and forum topic) a call went to. */
  const jidOf = (c: TelegramCall) =>
    `telegram:${c.body.chat_id}${c.body.message_thread_id ? `#${c.body.message_thread_id}` : ''}`
  const isSend = (jid: string) => (c: TelegramCall) => c.method === 'sendMessage' && jidOf(c) === jid
  const isSent = (jid: string) => (c: TelegramCall) => isSend(jid)(c) && c.status === 200
  const unescapeHtml = (t: string) =>
    t
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
  return {
    channel,
    attempts: (jid) =>
      fake.calls.calls
        .filter(isSend(jid))
        .map((c) => ({ text: String(c.body.text), ok: c.status === 200, at: c.at })),
    codeLines: (html) =>
      [...html.matchAll(/<pre>(?:<code[^>]*>)?([\s\S]*?)(?:<\/code>)?<\/pre>/g)].flatMap((m) =>
        unescapeHtml(m[1] ?? '').split('\n'),
      ),
    fencesBalanced: (html) => checkTelegramHtml(html).ok,
    visibleLength: (html) => {
      const r = checkTelegramHtml(html)
      return r.ok ? r.visible.length : Number.POSITIVE_INFINITY
    },
    assistantName: 'Andy',
    dmJid: `telegram:${user.id}`,
    groupJid: `telegram:${group.id}`,
    otherDmJid: 'telegram:5151',
    injectOtherDm: (text) =>
      String(
        fake.injectMessage({
          chat: { id: 5151, type: 'private', first_name: 'Bob' },
          from: { id: 5151, first_name: 'Bob' },
          text,
        }),
      ),
    injectDm: (text) =>
      String(
        fake.injectMessage({ chat: { id: user.id, type: 'private', first_name: 'Ann' }, from: user, text }),
      ),
    injectGroup(text, { mention }) {
      const tag = `@${fake.bot.username}`
      return String(
        fake.injectMessage({
          chat: group,
          from: user,
          text: mention ? `${tag} ${text}` : text,
          entities: mention ? [{ type: 'mention', offset: 0, length: tag.length }] : undefined,
        }),
      )
    },
    threadJid: `telegram:${group.id}#77`,
    injectThreadMention(text) {
      const tag = `@${fake.bot.username}`
      return String(
        fake.injectMessage({
          chat: { ...group, is_forum: true },
          from: user,
          text: `${tag} ${text}`,
          entities: [{ type: 'mention', offset: 0, length: tag.length }],
          topicId: 77,
        }),
      )
    },
    redeliver: (id) => fake.redeliver(Number(id)),
    ...sentReaders(fake.calls, isSent, (c) => String(c.body.text)),
    failNextSend: (f) => fake.failNext('sendMessage', f),
    dropConnection: () => fake.dropConnections(),
    waitForTyping: async (jid) => {
      await fake.calls.waitFor((c) => c.method === 'sendChatAction' && jidOf(c) === jid)
    },
    serveEnv: { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot },
    stop: () => fake.stop(),
  }
}
