import { createWhatsAppChannel } from '../../../src/channels/whatsapp/index.ts'
import { createWebhookRouter } from '../../../src/core/channel/webhooks.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import type { ContractHarness } from '../../contract/channel-contract.ts'
import { PLAIN_MARKDOWN } from '../../contract/fences.ts'
import { sentReaders } from '../../contract/sent.ts'
import { type GraphCall, startWhatsAppFake, type WhatsAppFake } from '../../fakes/whatsapp.ts'

const ann = '4915112345678'
const bob = '4915187654321'
const group = '120363041234567890'

export interface WhatsAppHarness extends ContractHarness {
  fake: WhatsAppFake
  /** The adapter's own webhook server (contract runs); serve runs use attachServe instead. */
  hookUrl: string
}

/** The WhatsApp adapter wired to its wire fake, its webhook served by a router like ngb's web server. */
export async function startWhatsAppHarness(): Promise<WhatsAppHarness> {
  const fake = startWhatsAppFake()
  const log = createMemoryLogger()
  const hooks = createWebhookRouter({ log })
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (req) => hooks.handle(new URL(req.url).pathname.split('/')[2] ?? '', req),
  })
  const hookUrl = `http://127.0.0.1:${server.port}/hooks/whatsapp`
  fake.setWebhookUrl(hookUrl)
  const channel = createWhatsAppChannel({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    verifyToken: fake.verifyToken,
    appSecret: fake.appSecret,
    apiBase: fake.apiBase,
    apiVersion: fake.apiVersion,
    hooks,
    assistantName: 'Andy',
    log,
    pairRate: { capacity: 100, refillPerSecond: 100 },
  })
  const jidOf = (c: GraphCall) =>
    c.body.recipient_type === 'group' ? `whatsapp:group:${c.body.to}` : `whatsapp:${c.body.to}`
  const isText = (jid: string) => (c: GraphCall) =>
    c.method === 'POST' && c.path.endsWith('/messages') && c.body.type === 'text' && jidOf(c) === jid
  const textOf = (c: GraphCall) => String((c.body.text as { body?: unknown } | undefined)?.body ?? '')
  const isSent = (jid: string) => (c: GraphCall) => isText(jid)(c) && c.status === 200
  /** Which chat each injected message was in, for the typing (read receipt) calls. */
  const chatOf = new Map<string, string>()
  const inject = (jid: string, m: Parameters<WhatsAppFake['injectMessage']>[0]) => {
    const id = fake.injectMessage(m)
    chatOf.set(id, jid)
    return id
  }
  let lastGroupMessage: string | undefined
  return {
    fake,
    hookUrl,
    channel,
    assistantName: 'Andy',
    dmJid: `whatsapp:${ann}`,
    groupJid: `whatsapp:group:${group}`,
    otherDmJid: `whatsapp:${bob}`,
    // WhatsApp has no threads; a reply to an earlier group message is answered in the group.
    threadJid: `whatsapp:group:${group}`,
    injectDm: (text) => inject(`whatsapp:${ann}`, { from: ann, name: 'Ann', text }),
    injectOtherDm: (text) => inject(`whatsapp:${bob}`, { from: bob, name: 'Bob', text }),
    injectGroup(text, { mention }) {
      const id = inject(`whatsapp:group:${group}`, {
        from: ann,
        name: 'Ann',
        groupId: group,
        text: mention ? `@${fake.displayPhone} ${text}` : text,
      })
      lastGroupMessage = id
      return id
    },
    injectThreadMention: (text) =>
      inject(`whatsapp:group:${group}`, {
        from: bob,
        name: 'Bob',
        groupId: group,
        text: `@${fake.displayPhone} ${text}`,
        replyTo: lastGroupMessage,
      }),
    redeliver: (id) => fake.redeliver(id),
    attempts: (jid) =>
      fake.calls.calls.filter(isText(jid)).map((c) => ({ text: textOf(c), ok: c.status === 200, at: c.at })),
    ...sentReaders(fake.calls, isSent, textOf),
    ...PLAIN_MARKDOWN,
    failNextSend: (f) => fake.failNext(f),
    // A webhook platform has no connection to drop: the next delivery fails and Meta retries it.
    dropConnection: async () => fake.failNextDelivery(),
    waitForTyping: async (jid) => {
      await fake.calls.waitFor(
        (c) => c.body.status === 'read' && chatOf.get(String(c.body.message_id)) === jid,
        10_000,
        `a typing indicator in ${jid}`,
      )
    },
    serveEnv: {
      WHATSAPP_ACCESS_TOKEN: fake.accessToken,
      WHATSAPP_PHONE_NUMBER_ID: fake.phoneNumberId,
      WHATSAPP_VERIFY_TOKEN: fake.verifyToken,
      WHATSAPP_APP_SECRET: fake.appSecret,
      WHATSAPP_API_BASE: fake.apiBase,
    },
    attachServe: (url) => fake.setWebhookUrl(`${url}/hooks/whatsapp`),
    async stop() {
      await fake.stop()
      await server.stop(true)
    },
  }
}
