import { createSlackChannel } from '../../../src/channels/slack/index.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import type { ContractHarness } from '../../contract/channel-contract.ts'
import { fencedCodeLines, fencesBalanced } from '../../contract/fences.ts'
import { sentReaders } from '../../contract/sent.ts'
import { type SlackCall, startSlackFake } from '../../fakes/slack.ts'

const dm = 'D0000DM01'
const channelId = 'C0000GEN1'
const ann = 'U0000ANN1'

/** The Slack adapter wired to its wire fake, as the channel contract and the pipeline tests use it. */
export async function startSlackHarness(): Promise<ContractHarness> {
  const fake = startSlackFake()
  const channel = createSlackChannel({
    botToken: fake.botToken,
    appToken: fake.appToken,
    apiUrl: fake.apiUrl,
    assistantName: 'Andy',
    log: createMemoryLogger(),
    pingTimeoutMs: 300,
    rateLimit: { capacity: 50, refillPerSecond: 50 },
  })
  /** The channel (and thread) a call went to. */
  const jidOf = (c: SlackCall) => `slack:${c.body.channel}${c.body.thread_ts ? `#${c.body.thread_ts}` : ''}`
  const isSend = (jid: string) => (c: SlackCall) => c.method === 'chat.postMessage' && jidOf(c) === jid
  const isSent = (jid: string) => (c: SlackCall) => isSend(jid)(c) && c.status === 200
  const unescapeHtml = (t: string) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
  return {
    channel,
    attempts: (jid) =>
      fake.calls.calls
        .filter(isSend(jid))
        .map((c) => ({ text: String(c.body.text), ok: c.status === 200, at: c.at })),
    codeLines: (t) => fencedCodeLines(t, unescapeHtml),
    fencesBalanced,
    visibleLength: (t) => t.length,
    assistantName: 'Andy',
    dmJid: `slack:${dm}`,
    groupJid: `slack:${channelId}`,
    otherDmJid: 'slack:D0000DM02',
    injectOtherDm: (text) =>
      fake.injectMessage({ channel: 'D0000DM02', user: 'U0000BOB1', text, channelType: 'im' }),
    injectDm: (text) => fake.injectMessage({ channel: dm, user: ann, text, channelType: 'im' }),
    injectGroup: (text, { mention }) =>
      fake.injectMessage({ channel: channelId, user: ann, text, channelType: 'channel', mention }),
    threadJid: `slack:${channelId}#1700000000.000100`,
    injectThreadMention: (text) =>
      fake.injectMessage({
        channel: channelId,
        user: ann,
        text,
        channelType: 'channel',
        mention: true,
        threadTs: '1700000000.000100',
      }),
    redeliver: (ts) => fake.redeliver(ts),
    ...sentReaders(fake.calls, isSent, (c) => String(c.body.text)),
    failNextSend: (f) => fake.failNext('chat.postMessage', f),
    dropConnection: async () => fake.dropConnection(),
    serveEnv: { SLACK_BOT_TOKEN: fake.botToken, SLACK_APP_TOKEN: fake.appToken, SLACK_API_URL: fake.apiUrl },
    stop: () => fake.stop(),
  }
}
