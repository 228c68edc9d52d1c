import { createDiscordChannel } from '../../../src/channels/discord/index.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { channelContract } from '../../contract/channel-contract.ts'
import { startDiscordFake } from '../../fakes/discord.ts'

const ann = { id: '4242000000000000001', username: 'ann', global_name: 'Ann' }
const dmChannel = '7000000000000000001'

channelContract('discord', async () => {
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
    `discord:${/^\/channels\/(\d+)\/messages$/.exec(c.path)?.[1]}` === jid
  const sentTo = (jid: string) => fake.calls.calls.filter(isSend(jid)).map((c) => String(c.body.content))
  return {
    channel,
    assistantName: 'Andy',
    dmJid: `discord:${dmChannel}`,
    groupJid: `discord:${fake.channelId}`,
    injectDm: (text) => fake.injectMessage({ channelId: dmChannel, author: ann, content: text }),
    injectGroup: (text, { mention }) =>
      fake.injectMessage({
        channelId: fake.channelId,
        guildId: fake.guildId,
        author: ann,
        content: mention ? `<@${fake.bot.id}> ${text}` : text,
        mentions: mention ? [fake.bot] : [],
      }),
    redeliver: (id) => fake.redeliver(id),
    sent: sentTo,
    waitForSent: async (jid, count, timeoutMs) => {
      await fake.calls.waitForCount(isSend(jid), count, timeoutMs)
      return sentTo(jid)
    },
    failNextSend: (f) => fake.failNext('messages', f),
    dropConnection: async () => fake.dropConnection(),
    waitForTyping: async (jid) => {
      await fake.calls.waitFor((c) => `discord:${/^\/channels\/(\d+)\/typing$/.exec(c.path)?.[1]}` === jid)
    },
    stop: () => fake.stop(),
  }
})
