import { createSlackChannel } from '../../../src/channels/slack/index.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { channelContract } from '../../contract/channel-contract.ts'
import { startSlackFake } from '../../fakes/slack.ts'

const dm = 'D0000DM01'
const channelId = 'C0000GEN1'
const ann = 'U0000ANN1'

channelContract(
  'slack',
  async () => {
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
    const isSend = (jid: string) => (c: { method: string; status: number; body: Record<string, unknown> }) =>
      c.method === 'chat.postMessage' &&
      c.status === 200 &&
      `slack:${c.body.channel}${c.body.thread_ts ? `#${c.body.thread_ts}` : ''}` === jid
    const sentTo = (jid: string) => fake.calls.calls.filter(isSend(jid)).map((c) => String(c.body.text))
    return {
      channel,
      assistantName: 'Andy',
      dmJid: `slack:${dm}`,
      groupJid: `slack:${channelId}`,
      injectDm: (text) => fake.injectMessage({ channel: dm, user: ann, text, channelType: 'im' }),
      injectGroup: (text, { mention }) =>
        fake.injectMessage({ channel: channelId, user: ann, text, channelType: 'channel', mention }),
      redeliver: (ts) => fake.redeliver(ts),
      sent: sentTo,
      waitForSent: async (jid, count, timeoutMs) => {
        await fake.calls.waitForCount(isSend(jid), count, timeoutMs)
        return sentTo(jid)
      },
      failNextSend: (f) => fake.failNext('chat.postMessage', f),
      dropConnection: async () => fake.dropConnection(),
      waitForTyping: async () => {},
      stop: () => fake.stop(),
    }
  },
  { skip: { typing: 'Slack has no typing indicator for bots outside the legacy RTM API' } },
)
