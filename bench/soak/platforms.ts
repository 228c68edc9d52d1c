import { startDiscordFake } from '../../test/fakes/discord.ts'
import { startSlackFake } from '../../test/fakes/slack.ts'
import { startTelegramFake } from '../../test/fakes/telegram.ts'

/** One chat the soak talks in: a direct chat (every message triggers) or a room (mention needed). */
export interface SoakChat {
  platform: SoakPlatform['name']
  jid: string
  room: boolean
  /** Sends `text` as the user would (with an @-mention in a room). */
  inject(text: string): void
}

/** One outbound message the platform accepted, as its wire fake recorded it. */
export interface Delivered {
  text: string
  at: number
}

export interface SoakPlatform {
  name: 'telegram' | 'discord' | 'slack'
  /** Environment pointing `ngb serve` at this fake. */
  serveEnv: Record<string, string>
  chat(index: number, room: boolean): SoakChat
  /** Accepted sends from `from` on (index into the fake's call log), and the next index. */
  deliveredSince(from: number): { items: Delivered[]; next: number }
  /** Makes the next `n` sends fail with a 5xx (fault injection). */
  failSends(n: number): void
  stop(): Promise<void>
}

function telegram(): SoakPlatform {
  const fake = startTelegramFake()
  const user = { id: 4242, first_name: 'Ann', username: 'ann' }
  return {
    name: 'telegram',
    serveEnv: { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot },
    chat(i, room) {
      const id = room ? -1_000_000 - i : 100_000 + i
      const tag = `@${fake.bot.username}`
      return {
        platform: 'telegram',
        jid: `telegram:${id}`,
        room,
        inject: (text) =>
          void fake.injectMessage(
            room
              ? {
                  chat: { id, type: 'supergroup', title: `room ${i}` },
                  from: user,
                  text: `${tag} ${text}`,
                  entities: [{ type: 'mention', offset: 0, length: tag.length }],
                }
              : { chat: { id, type: 'private', first_name: 'Ann' }, from: user, text },
          ),
      }
    },
    deliveredSince(from) {
      const calls = fake.calls.calls
      const items = calls
        .slice(from)
        .filter((c) => c.method === 'sendMessage' && c.status === 200)
        .map((c) => ({ text: String(c.body.text), at: c.at }))
      return { items, next: calls.length }
    },
    failSends(n) {
      for (let k = 0; k < n; k++) fake.failNext('sendMessage', { kind: 'server_error' })
    },
    stop: () => fake.stop(),
  }
}

function discord(): SoakPlatform {
  const fake = startDiscordFake()
  const ann = { id: '4242000000000000001', username: 'ann' }
  return {
    name: 'discord',
    serveEnv: { DISCORD_BOT_TOKEN: fake.token, DISCORD_API_BASE: fake.apiBase },
    chat(i, room) {
      const channelId = String((room ? 8_000_000_000_000_000n : 7_100_000_000_000_000n) + BigInt(i))
      return {
        platform: 'discord',
        jid: `discord:${channelId}`,
        room,
        inject: (text) =>
          void fake.injectMessage(
            room
              ? {
                  channelId,
                  guildId: fake.guildId,
                  author: ann,
                  content: `<@${fake.bot.id}> ${text}`,
                  mentions: [fake.bot],
                }
              : { channelId, author: ann, content: text },
          ),
      }
    },
    deliveredSince(from) {
      const calls = fake.calls.calls
      const items = calls
        .slice(from)
        .filter((c) => c.method === 'POST' && c.status === 200 && /^\/channels\/\d+\/messages$/.test(c.path))
        .map((c) => ({ text: String(c.body.content), at: c.at }))
      return { items, next: calls.length }
    },
    failSends(n) {
      for (let k = 0; k < n; k++) fake.failNext('messages', { kind: 'server_error' })
    },
    stop: () => fake.stop(),
  }
}

function slack(): SoakPlatform {
  const fake = startSlackFake()
  return {
    name: 'slack',
    serveEnv: { SLACK_BOT_TOKEN: fake.botToken, SLACK_APP_TOKEN: fake.appToken, SLACK_API_URL: fake.apiUrl },
    chat(i, room) {
      const channel = `${room ? 'C' : 'D'}SOAK${String(i).padStart(4, '0')}`
      return {
        platform: 'slack',
        jid: `slack:${channel}`,
        room,
        inject: (text) =>
          void fake.injectMessage({
            channel,
            user: 'U0000ANN1',
            text,
            channelType: room ? 'channel' : 'im',
            mention: room,
          }),
      }
    },
    deliveredSince(from) {
      const calls = fake.calls.calls
      const items = calls
        .slice(from)
        .filter((c) => c.method === 'chat.postMessage' && c.status === 200)
        .map((c) => ({ text: String(c.body.text), at: c.at }))
      return { items, next: calls.length }
    },
    failSends(n) {
      for (let k = 0; k < n; k++) fake.failNext('chat.postMessage', { kind: 'server_error' })
    },
    stop: () => fake.stop(),
  }
}

export function startSoakPlatforms(): SoakPlatform[] {
  return [telegram(), discord(), slack()]
}
