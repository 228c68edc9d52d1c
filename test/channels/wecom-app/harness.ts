import { createWecomAppChannel } from '../../../src/channels/wecom-app/index.ts'
import { createWebhookRouter } from '../../../src/core/channel/webhooks.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { utf8Length } from '../../../src/util/utf8.ts'
import type { ContractHarness } from '../../contract/channel-contract.ts'
import { fencedCodeLines, fencesBalanced } from '../../contract/fences.ts'
import { startWecomAppFake, type WecomAppCall, type WecomAppFake } from '../../fakes/wecom-app.ts'

const ann = 'zhangsan'
const bob = 'lisi'
const appChat = 'appchat0001'

export interface WecomAppHarness extends ContractHarness {
  fake: WecomAppFake
  log: ReturnType<typeof createMemoryLogger>
}

const jidOf = (c: WecomAppCall) =>
  c.path === '/cgi-bin/appchat/send'
    ? `wecom-app:group:${String(c.body.chatid)}`
    : `wecom-app:user:${String(c.body.touser)}`
const textOf = (c: WecomAppCall) =>
  String((c.body.markdown as { content?: string } | undefined)?.content ?? '')

/** The WeCom app-callback adapter with its webhook served by a router like ngb's web server. */
export async function startWecomAppHarness(): Promise<WecomAppHarness> {
  const fake = startWecomAppFake()
  const log = createMemoryLogger()
  const hooks = createWebhookRouter({ log })
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (req) => hooks.handle(new URL(req.url).pathname.split('/')[2] ?? '', req),
  })
  fake.setWebhookUrl(`http://127.0.0.1:${server.port}/hooks/wecom-app`)
  const channel = createWecomAppChannel({
    corpId: fake.corpId,
    corpSecret: fake.corpSecret,
    agentId: fake.agentId,
    callbackToken: fake.callbackToken,
    encodingAesKey: fake.encodingAesKey,
    apiBase: fake.apiBase,
    hooks,
    assistantName: 'Andy',
    log,
  })
  const isSend = (jid: string) => (c: WecomAppCall) => jidOf(c) === jid
  const sentTo = (jid: string) =>
    fake.calls.calls.filter((c) => isSend(jid)(c) && c.errcode === 0).map(textOf)
  // App callbacks are single chats only: group text never arrives in this mode.
  const notDelivered = () => `not-delivered-${Date.now()}`
  return {
    fake,
    log,
    channel,
    assistantName: 'Andy',
    dmJid: `wecom-app:user:${ann}`,
    groupJid: `wecom-app:group:${appChat}`,
    otherDmJid: `wecom-app:user:${bob}`,
    threadJid: `wecom-app:group:${appChat}`,
    injectDm: (text) => fake.injectText({ user: ann, text }),
    injectOtherDm: (text) => fake.injectText({ user: bob, text }),
    injectGroup: notDelivered,
    injectThreadMention: notDelivered,
    redeliver: (id) => fake.redeliver(id),
    sent: sentTo,
    attempts: (jid) =>
      fake.calls.calls.filter(isSend(jid)).map((c) => ({ text: textOf(c), ok: c.errcode === 0, at: c.at })),
    codeLines: (t) => fencedCodeLines(t),
    fencesBalanced,
    visibleLength: utf8Length,
    waitForSent: async (jid, count, timeoutMs) => {
      await fake.calls.waitForCount((c) => isSend(jid)(c) && c.errcode === 0, count, timeoutMs)
      return sentTo(jid)
    },
    failNextSend: (f) => fake.failNext(f),
    dropConnection: async () => fake.failNextDelivery(),
    expireTokens: () => fake.expireTokens(),
    serveEnv: {
      WECOM_CORP_ID: fake.corpId,
      WECOM_CORP_SECRET: fake.corpSecret,
      WECOM_AGENT_ID: fake.agentId,
      WECOM_CALLBACK_TOKEN: fake.callbackToken,
      WECOM_ENCODING_AES_KEY: fake.encodingAesKey,
      WECOM_API_BASE: fake.apiBase,
    },
    attachServe: (url) => fake.setWebhookUrl(`${url}/hooks/wecom-app`),
    async stop() {
      await fake.stop()
      await server.stop(true)
    },
  }
}
