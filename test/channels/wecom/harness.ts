import { createWecomChannel } from '../../../src/channels/wecom/index.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { utf8Length } from '../../../src/util/utf8.ts'
import type { ContractHarness } from '../../contract/channel-contract.ts'
import { fencedCodeLines, fencesBalanced } from '../../contract/fences.ts'
import { contentOf, isDelivered, startWecomFake, type WecomCall, type WecomFake } from '../../fakes/wecom.ts'

const ann = 'zhangsan'
const bob = 'lisi'
const groupId = 'wrkSFfCgAAbbb0000grp1'

export interface WecomHarness extends ContractHarness {
  fake: WecomFake
}

/** The WeCom AI-bot adapter wired to its wire fake, as the channel contract and the serve tests use it. */
export async function startWecomHarness(): Promise<WecomHarness> {
  const fake = startWecomFake()
  const channel = createWecomChannel({
    botId: fake.botId,
    secret: fake.secret,
    wsUrl: fake.wsUrl,
    assistantName: 'Andy',
    log: createMemoryLogger(),
    reconnectIntervalMs: 100,
  })
  const delivered = (jid: string) => (c: WecomCall) => c.jid === jid && isDelivered(c)
  const isSent = (jid: string) => (c: WecomCall) => delivered(jid)(c) && c.errcode === 0
  const sentTo = (jid: string) => fake.calls.calls.filter(isSent(jid)).map((c) => contentOf(c.body))
  const groupMention = (text: string) => fake.injectText({ user: ann, text, groupChatId: groupId })
  return {
    fake,
    channel,
    assistantName: 'Andy',
    dmJid: `wecom:user:${ann}`,
    groupJid: `wecom:group:${groupId}`,
    otherDmJid: `wecom:user:${bob}`,
    injectDm: (text) => fake.injectText({ user: ann, text }),
    injectOtherDm: (text) => fake.injectText({ user: bob, text }),
    // WeCom calls an AI bot in a group only when it is @-mentioned: an unmentioned message never
    // reaches ngb, so the fake drops it as the platform does (the id is never seen).
    injectGroup: (text, { mention }) => (mention ? groupMention(text) : `not-delivered-${Date.now()}`),
    // No threads on WeCom: a "thread" mention is a group mention, answered in the group.
    threadJid: `wecom:group:${groupId}`,
    injectThreadMention: groupMention,
    redeliver: (msgid) => fake.redeliver(msgid),
    sent: sentTo,
    attempts: (jid) =>
      fake.calls.calls
        .filter(delivered(jid))
        .map((c) => ({ text: contentOf(c.body), ok: c.errcode === 0, at: c.at })),
    codeLines: (t) => fencedCodeLines(t),
    fencesBalanced,
    visibleLength: utf8Length,
    waitForSent: async (jid, count, timeoutMs) => {
      await fake.calls.waitForCount(isSent(jid), count, timeoutMs)
      return sentTo(jid)
    },
    waitForTyping: async (jid) => {
      await fake.calls.waitFor(
        (c) => c.jid === jid && c.cmd === 'aibot_respond_msg' && !isDelivered(c),
        10_000,
        'a typing stream frame',
      )
    },
    failNextSend: (f) => fake.failNext(f),
    dropConnection: async () => fake.dropConnection(),
    serveEnv: { WECOM_BOT_ID: fake.botId, WECOM_BOT_SECRET: fake.secret, WECOM_WS_URL: fake.wsUrl },
    stop: () => fake.stop(),
  }
}
