import { createTelegramChannel } from '../../../src/channels/telegram/index.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { channelContract } from '../../contract/channel-contract.ts'
import { startTelegramFake } from '../../fakes/telegram.ts'

const user = { id: 4242, first_name: 'Ann', username: 'ann' }
const group = { id: -1001234, type: 'supergroup' as const, title: 'devs' }

channelContract('telegram', async () => {
  const fake = startTelegramFake()
  const channel = createTelegramChannel({
    token: fake.token,
    apiRoot: fake.apiRoot,
    assistantName: 'Andy',
    log: createMemoryLogger(),
    pollTimeoutSeconds: 5,
    reconnect: { baseMs: 50, maxMs: 500 },
  })
  const sentTo = (jid: string) =>
    fake.calls.calls
      .filter((c) => c.method === 'sendMessage' && c.status === 200 && `telegram:${c.body.chat_id}` === jid)
      .map((c) => String(c.body.text))
  return {
    channel,
    assistantName: 'Andy',
    dmJid: `telegram:${user.id}`,
    groupJid: `telegram:${group.id}`,
    injectDm: (text) =>
      String(
        fake.injectMessage({ chat: { id: user.id, type: 'private', first_name: 'Ann' }, from: user, text }),
      ),
    injectGroup(text, { mention }) {
      const tag = `@${fake.bot.username}`
      return String(
        fake.injectMessage({
          chat: group,
          from: user,
          text: mention ? `${tag} ${text}` : text,
          entities: mention ? [{ type: 'mention', offset: 0, length: tag.length }] : undefined,
        }),
      )
    },
    redeliver: (id) => fake.redeliver(Number(id)),
    sent: sentTo,
    waitForSent: async (jid, count, timeoutMs) => {
      await fake.calls.waitForCount(
        (c) => c.method === 'sendMessage' && c.status === 200 && `telegram:${c.body.chat_id}` === jid,
        count,
        timeoutMs,
      )
      return sentTo(jid)
    },
    failNextSend: (f) => fake.failNext('sendMessage', f),
    dropConnection: () => fake.dropConnections(),
    waitForTyping: async (jid) => {
      await fake.calls.waitFor((c) => c.method === 'sendChatAction' && `telegram:${c.body.chat_id}` === jid)
    },
    stop: () => fake.stop(),
  }
})
