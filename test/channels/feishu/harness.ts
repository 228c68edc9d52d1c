import { createFeishuChannel } from '../../../src/channels/feishu/index.ts'
import { utf8Length } from '../../../src/channels/shared/chunk.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
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

/** The Feishu adapter wired to its wire fake, as the channel contract and the serve tests use it. */
export async function startFeishuHarness(): Promise<FeishuHarness> {
  const fake = startFeishuFake()
  const channel = createFeishuChannel({
    appId: fake.appId,
    appSecret: fake.appSecret,
    domain: fake.domain,
    assistantName: 'Andy',
    log: createMemoryLogger(),
  })
  const to = (jid: string) => (c: FeishuCall) => jidOf(c) === jid
  const isSent = (jid: string) => (c: FeishuCall) => to(jid)(c) && c.status === 200 && c.code === 0
  const sentTo = (jid: string) => fake.calls.calls.filter(isSent(jid)).map(cardText)
  return {
    fake,
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
    dropConnection: async () => fake.dropConnection(),
    serveEnv: { FEISHU_APP_ID: fake.appId, FEISHU_APP_SECRET: fake.appSecret, FEISHU_DOMAIN: fake.domain },
    stop: () => fake.stop(),
  }
}
