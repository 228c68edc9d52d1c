import { createQqChannel } from '../../../src/channels/qq/index.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import type { ContractHarness } from '../../contract/channel-contract.ts'
import { PLAIN_MARKDOWN } from '../../contract/fences.ts'
import { chatCallReaders } from '../../contract/sent.ts'
import { type QqFake, startQqFake } from '../../fakes/qq.ts'

const ann = 'E7A1B2C3D4E5F60718293A4B5C6D7E8F'
const bob = 'F00DBABE0000111122223333444455556'
const group = 'G9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4'

export interface QqHarness extends ContractHarness {
  fake: QqFake
  channel: ReturnType<typeof createQqChannel>
}

/** The QQ adapter wired to its wire fake (token, gateway WebSocket, v2 send routes). */
export async function startQqHarness(
  opts: { heartbeatMs?: number; now?: () => number } = {},
): Promise<QqHarness> {
  const fake = startQqFake({ heartbeatMs: opts.heartbeatMs })
  const channel = createQqChannel({
    appId: fake.appId,
    appSecret: fake.appSecret,
    apiBase: fake.apiBase,
    tokenUrl: fake.tokenUrl,
    assistantName: 'Andy',
    log: createMemoryLogger(),
    now: opts.now,
    reconnectBaseMs: 100,
  })
  const groupAt = (text: string) => fake.injectGroupAt({ groupOpenid: group, memberOpenid: ann, text })
  return {
    fake,
    channel,
    assistantName: 'Andy',
    dmJid: `qq:user:${ann}`,
    groupJid: `qq:group:${group}`,
    otherDmJid: `qq:user:${bob}`,
    // QQ groups have no threads: a mention "in a thread" is a group @-message.
    threadJid: `qq:group:${group}`,
    injectDm: (text) => fake.injectC2c({ openid: ann, text }),
    injectOtherDm: (text) => fake.injectC2c({ openid: bob, text }),
    injectGroup(text, { mention }) {
      // A group bot only ever receives messages that @ it; there is no unmentioned group text to inject.
      if (!mention) throw new Error('QQ delivers only @-messages to group bots')
      return groupAt(text)
    },
    injectThreadMention: groupAt,
    redeliver: (id) => fake.redeliver(id),
    ...chatCallReaders(fake.calls),
    ...PLAIN_MARKDOWN,
    failNextSend: (f) => fake.failNext(f),
    dropConnection: async () => fake.dropConnection(),
    expireTokens: () => fake.expireTokens(),
    serveEnv: {
      QQ_APP_ID: fake.appId,
      QQ_APP_SECRET: fake.appSecret,
      QQ_API_BASE: fake.apiBase,
      QQ_TOKEN_URL: fake.tokenUrl,
    },
    stop: () => fake.stop(),
  }
}
