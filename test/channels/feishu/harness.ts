import { createFeishuChannel } from '../../../src/channels/feishu/index.ts'
import type { Channel } from '../../../src/core/channel/channel.ts'
import { createWebhookRouter } from '../../../src/core/channel/webhooks.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { utf8Length } from '../../../src/util/utf8.ts'
import type { ContractHarness } from '../../contract/channel-contract.ts'
import { fencedCodeLines, fencesBalanced } from '../../contract/fences.ts'
import { type FeishuCall, type FeishuFake, startFeishuFake } from '../../fakes/feishu.ts'

const dmChat = 'oc_dm00000000000000000000001'
const otherDmChat = 'oc_dm00000000000000000000002'
const groupChat = 'oc_grp0000000000000000000001'
const threadRoot = 'om_root000000000000000000001'
const ann = 'ou_ann00000000000000000000001'
const bob = 'ou_bob00000000000000000000001'

export interface FeishuHarness extends ContractHarness {
  fake: FeishuFake
  log: ReturnType<typeof createMemoryLogger>
}

const REPLY = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/

/** The chat a send went to, as a JID: create names the receive id, reply the thread's root message. */
function jidOf(c: FeishuCall): string | undefined {
  if (c.method !== 'POST') return undefined
  if (c.path === '/open-apis/im/v1/messages') {
    const id = String(c.body.receive_id)
    return c.query.receive_id_type === 'chat_id' ? `feishu:${id}` : `feishu:user:${id}`
  }
  const root = REPLY.exec(c.path)?.[1]
  return root === threadRoot ? `feishu:${groupChat}#${threadRoot}` : undefined
}

/** The Markdown inside an interactive card's markdown element. */
export function cardText(c: FeishuCall): string {
  const card = JSON.parse(String(c.body.content)) as { elements: { content: string }[] }
  return card.elements.map((e) => e.content).join('\n')
}

/** The Feishu adapter wired to its wire fake over the long connection. */
export async function startFeishuHarness(): Promise<FeishuHarness> {
  const fake = startFeishuFake()
  const log = createMemoryLogger()
  const channel = createFeishuChannel({
    appId: fake.appId,
    appSecret: fake.appSecret,
    domain: fake.domain,
    assistantName: 'Andy',
    log,
  })
  return harness(fake, channel, log, {
    serveEnv: { FEISHU_APP_ID: fake.appId, FEISHU_APP_SECRET: fake.appSecret, FEISHU_DOMAIN: fake.domain },
    dropConnection: async () => fake.dropConnection(),
    stop: () => fake.stop(),
  })
}

/** The same adapter in webhook mode: events are POSTed to a router like ngb's web server. */
export async function startFeishuWebhookHarness(): Promise<FeishuHarness> {
  const fake = startFeishuFake()
  const log = createMemoryLogger()
  const hooks = createWebhookRouter({ log })
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (req) => hooks.handle(new URL(req.url).pathname.split('/')[2] ?? '', req),
  })
  fake.setWebhookUrl(`http://127.0.0.1:${server.port}/hooks/feishu`)
  const keys = { encryptKey: fake.encryptKey, verificationToken: fake.verificationToken }
  const channel = createFeishuChannel({
    appId: fake.appId,
    appSecret: fake.appSecret,
    domain: fake.domain,
    webhook: { hooks, ...keys },
    assistantName: 'Andy',
    log,
  })
  return harness(fake, channel, log, {
    serveEnv: {
      FEISHU_APP_ID: fake.appId,
      FEISHU_APP_SECRET: fake.appSecret,
      FEISHU_DOMAIN: fake.domain,
      FEISHU_EVENT_MODE: 'webhook',
      FEISHU_ENCRYPT_KEY: fake.encryptKey,
      FEISHU_VERIFICATION_TOKEN: fake.verificationToken,
    },
    // A webhook holds no connection: the next delivery fails and Feishu pushes it again.
    dropConnection: async () => fake.failNextDelivery(),
    attachServe: (url) => fake.setWebhookUrl(`${url}/hooks/feishu`),
    async stop() {
      await fake.stop()
      await server.stop(true)
    },
  })
}

function harness(
  fake: FeishuFake,
  channel: Channel,
  log: ReturnType<typeof createMemoryLogger>,
  transport: Pick<ContractHarness, 'serveEnv' | 'dropConnection' | 'stop' | 'attachServe'>,
): FeishuHarness {
  fake.setUserName(ann, 'Ann')
  fake.setUserName(bob, 'Bob')
  const to = (jid: string) => (c: FeishuCall) => jidOf(c) === jid
  const isSent = (jid: string) => (c: FeishuCall) => to(jid)(c) && c.status === 200 && c.code === 0
  const sentTo = (jid: string) => fake.calls.calls.filter(isSent(jid)).map(cardText)
  return {
    ...transport,
    fake,
    log,
    channel,
    assistantName: 'Andy',
    dmJid: `feishu:${dmChat}`,
    groupJid: `feishu:${groupChat}`,
    otherDmJid: `feishu:${otherDmChat}`,
    threadJid: `feishu:${groupChat}#${threadRoot}`,
    injectDm: (text) => fake.injectMessage({ chatId: dmChat, chatType: 'p2p', openId: ann, text }),
    injectOtherDm: (text) => fake.injectMessage({ chatId: otherDmChat, chatType: 'p2p', openId: bob, text }),
    injectGroup: (text, { mention }) =>
      fake.injectMessage({ chatId: groupChat, chatType: 'group', openId: ann, text, mention }),
    injectThreadMention: (text) =>
      fake.injectMessage({
        chatId: groupChat,
        chatType: 'group',
        openId: ann,
        text,
        mention: true,
        rootId: threadRoot,
      }),
    redeliver: (id) => fake.redeliver(id),
    sent: sentTo,
    attempts: (jid) =>
      fake.calls.calls
        .filter(to(jid))
        .map((c) => ({ text: cardText(c), ok: c.status === 200 && c.code === 0, at: c.at })),
    codeLines: (t) => fencedCodeLines(t),
    fencesBalanced,
    visibleLength: utf8Length,
    waitForSent: async (jid, count, timeoutMs) => {
      await fake.calls.waitForCount(isSent(jid), count, timeoutMs)
      return sentTo(jid)
    },
    waitForTyping: async (jid) => {
      const chat = jid.replace(/^feishu:/, '').split('#')[0] ?? ''
      await fake.calls.waitFor(
        (c) =>
          c.method === 'POST' &&
          c.path.endsWith('/reactions') &&
          fake.chatOf(c.path.split('/')[5] ?? '') === chat,
        10_000,
        'a typing reaction',
      )
    },
    failNextSend: (f) => fake.failNext(f),
    expireTokens: () => fake.expireTokens(),
  }
}
