import { createDingTalkChannel } from '../../../src/channels/dingtalk/index.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import type { ContractHarness } from '../../contract/channel-contract.ts'
import { PLAIN_MARKDOWN } from '../../contract/fences.ts'
import { chatCallReaders } from '../../contract/sent.ts'
import { type DingTalkFake, startDingTalkFake } from '../../fakes/dingtalk.ts'

const ann = 'staff-ann'
const bob = 'staff-bob'
/** Real conversation ids carry '+', '/' and '='. */
const group = 'cidGROUP1+ab/c=='

export interface DingTalkHarness extends ContractHarness {
  fake: DingTalkFake
}

/** The DingTalk adapter wired to its wire fake (stream gateway, session webhooks, robot API). */
export async function startDingTalkHarness(): Promise<DingTalkHarness> {
  const fake = startDingTalkFake()
  const channel = createDingTalkChannel({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    apiBase: fake.apiBase,
    assistantName: 'Andy',
    log: createMemoryLogger(),
    rateLimit: { capacity: 100, refillPerSecond: 100 },
    reconnectBaseMs: 100,
  })
  let lastGroup: string | undefined
  const groupMsg = (text: string, atBot: boolean) => {
    lastGroup = fake.injectMessage({
      conversationType: '2',
      conversationId: group,
      staffId: ann,
      nick: 'Ann',
      text,
      atBot,
      title: 'Team room',
    })
    return lastGroup
  }
  return {
    fake,
    channel,
    assistantName: 'Andy',
    dmJid: `dingtalk:user:${ann}`,
    groupJid: `dingtalk:group:${group}`,
    otherDmJid: `dingtalk:user:${bob}`,
    // DingTalk group chats have no threads: a mention "in a thread" is a group mention.
    threadJid: `dingtalk:group:${group}`,
    injectDm: (text) =>
      fake.injectMessage({
        conversationType: '1',
        conversationId: 'cidDM-ann',
        staffId: ann,
        nick: 'Ann',
        text,
      }),
    injectOtherDm: (text) =>
      fake.injectMessage({
        conversationType: '1',
        conversationId: 'cidDM-bob',
        staffId: bob,
        nick: 'Bob',
        text,
      }),
    injectGroup: (text, { mention }) => groupMsg(text, mention),
    injectThreadMention: (text) => groupMsg(text, true),
    redeliver: (id) => fake.redeliver(id),
    ...chatCallReaders(fake.calls),
    ...PLAIN_MARKDOWN,
    failNextSend: (f) => fake.failNext(f),
    // Session webhooks need no token, so they expire too: the next reply must use the robot API.
    expireTokens: () => {
      fake.expireSessions()
      fake.expireTokens()
    },
    dropConnection: async () => fake.dropConnection(),
    serveEnv: {
      DINGTALK_CLIENT_ID: fake.clientId,
      DINGTALK_CLIENT_SECRET: fake.clientSecret,
      DINGTALK_API_BASE: fake.apiBase,
    },
    stop: () => fake.stop(),
  }
}
