import { createDiscordChannel } from '../../../src/channels/discord/index.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import type { ContractHarness } from '../../contract/channel-contract.ts'
import { PLAIN_MARKDOWN } from '../../contract/fences.ts'
import { sentReaders } from '../../contract/sent.ts'
import { startDiscordFake } from '../../fakes/discord.ts'

const ann = { id: '4242000000000000001', username: 'ann', global_name: 'Ann' }
const dmChannel = '7000000000000000001'

/** The channel id a JID's messages are posted to: the thread's own id for `discord:<parent>#<thread>`. */
const wireChannel = (jid: string) => jid.split('#')[1] ?? jid.slice('discord:'.length)

/** The Discord adapter wired to its wire fake, as the channel contract and the pipeline tests use it. */
export async function startDiscordHarness(): Promise<ContractHarness> {
  const fake = startDiscordFake()
  const channel = createDiscordChannel({
    token: fake.token,
    apiBase: fake.apiBase,
    assistantName: 'Andy',
    log: createMemoryLogger(),
  })
  const isSend = (jid: string) => (c: { method: string; path: string; status: number }) =>
    c.method === 'POST' &&
    c.status === 200 &&
    /^\/channels\/(\d+)\/messages$/.exec(c.path)?.[1] === wireChannel(jid)
  const target = (path: string) => /^\/channels\/(\d+)\/messages$/.exec(path)?.[1]
  return {
    channel,
    attempts: (jid) =>
      fake.calls.calls
        .filter((c) => c.method === 'POST' && target(c.path) === wireChannel(jid))
        .map((c) => ({ text: String(c.body.content), ok: c.status === 200, at: c.at })),
    ...PLAIN_MARKDOWN,
    assistantName: 'Andy',
    dmJid: `discord:${dmChannel}`,
    groupJid: `discord:${fake.channelId}`,
    otherDmJid: 'discord:7000000000000000002',
    injectOtherDm: (text) =>
      fake.injectMessage({
        channelId: '7000000000000000002',
        author: { id: '5151000000000000001', username: 'bob' },
        content: text,
      }),
    injectDm: (text) => fake.injectMessage({ channelId: dmChannel, author: ann, content: text }),
    injectGroup: (text, { mention }) =>
      fake.injectMessage({
        channelId: fake.channelId,
        guildId: fake.guildId,
        author: ann,
        content: mention ? `<@${fake.bot.id}> ${text}` : text,
        mentions: mention ? [fake.bot] : [],
      }),
    threadJid: `discord:${fake.channelId}#${fake.threadId}`,
    injectThreadMention: (text) =>
      fake.injectMessage({
        channelId: fake.threadId,
        guildId: fake.guildId,
        author: ann,
        content: `<@${fake.bot.id}> ${text}`,
        mentions: [fake.bot],
      }),
    redeliver: (id) => fake.redeliver(id),
    ...sentReaders(fake.calls, isSend, (c) => String(c.body.content)),
    failNextSend: (f) => fake.failNext('messages', f),
    dropConnection: async () => fake.dropConnection(),
    waitForTyping: async (jid) => {
      await fake.calls.waitFor((c) => /^\/channels\/(\d+)\/typing$/.exec(c.path)?.[1] === wireChannel(jid))
    },
    serveEnv: { DISCORD_BOT_TOKEN: fake.token, DISCORD_API_BASE: fake.apiBase },
    stop: () => fake.stop(),
  }
}
