import type { GatewayDispatchPayload } from 'discord.js'
import { Client, Events, GatewayDispatchEvents, GatewayIntentBits, Partials } from 'discord.js'
import type { Channel, ChannelContext } from '../../core/channel/channel.ts'
import { ChannelError, errorMessage } from '../../core/errors.ts'
import type { Logger } from '../../util/log.ts'
import type { TokenBucketOptions } from '../../util/token-bucket.ts'
import { createTokenBucket } from '../../util/token-bucket.ts'
import { createHealthState } from '../shared/health.ts'
import { markdownToDiscord } from './dialect.ts'
import type { DiscordInboundContext } from './inbound.ts'
import { toInboundMessage } from './inbound.ts'
import { createDiscordSender, toChannelError } from './outbound.ts'

export interface DiscordChannelDeps {
  token: string
  /** REST base including `/api` (default https://discord.com/api); the gateway URL comes from `GET /gateway/bot`. */
  apiBase?: string
  assistantName: string
  log: Logger
  /** Per-bot send budget (default 50 requests/s, Discord's global limit). */
  rateLimit?: Omit<TokenBucketOptions, 'clock'>
  readyTimeoutMs?: number
}

export const DISCORD_MAX_MESSAGE_LENGTH = 2000
/** Discord's upload limit for a bot in a server without boosts. */
export const DISCORD_MAX_UPLOAD_BYTES = 10 * 1024 * 1024

export function createDiscordChannel(deps: DiscordChannelDeps): Channel {
  const log = deps.log.child({ component: 'discord' })
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.DirectMessages,
      GatewayIntentBits.MessageContent,
    ],
    // DM channels are not cached until used; without this discord.js drops their messages.
    partials: [Partials.Channel],
    rest: {
      ...(deps.apiBase ? { api: deps.apiBase } : {}),
      // Our send queue owns waiting and retrying, so a limit or a 5xx comes back to it as an error.
      rejectOnRateLimit: () => true,
      retries: 0,
    },
  })
  const sender = createDiscordSender(
    client.rest,
    createTokenBucket(deps.rateLimit ?? { capacity: 50, refillPerSecond: 50 }),
  )
  let ctx: ChannelContext | undefined

  const health = createHealthState((next) => ctx?.onStatus(next))

  /** Attachment URLs come in the payload: only Discord's CDN (or the configured API host) is fetched. */
  const apiOrigin = deps.apiBase ? new URL(deps.apiBase).origin : undefined
  async function openAttachment(url: string): Promise<Response> {
    const u = new URL(url)
    const cdn = u.protocol === 'https:' && ['cdn.discordapp.com', 'media.discordapp.net'].includes(u.hostname)
    if (!cdn && u.origin !== apiOrigin) throw new Error(`refusing to download from ${u.origin}`)
    return fetch(u)
  }

  const inboundCtx = (botId: string): DiscordInboundContext => ({
    botId,
    openAttachment,
    assistantName: deps.assistantName,
    botRoleId: (guildId) => {
      const guild = client.guilds.cache.get(guildId)
      return client.user && guild ? guild.roles.botRoleFor(client.user)?.id : undefined
    },
    channelInfo: (channelId) => {
      const ch = client.channels.cache.get(channelId)
      if (!ch) return undefined
      return {
        isThread: ch.isThread(),
        parentId: ch.isThread() ? (ch.parentId ?? undefined) : undefined,
        name: 'name' in ch && typeof ch.name === 'string' ? ch.name : undefined,
      }
    },
  })

  async function onDispatch(packet: GatewayDispatchPayload) {
    if (packet.t !== GatewayDispatchEvents.MessageCreate || !client.user) return
    const message = toInboundMessage(packet.d, inboundCtx(client.user.id))
    // A redelivered event goes on too: the pipeline's persist step drops it by (chat, message id).
    if (!message) return
    try {
      await ctx?.onInbound(message)
    } catch (err) {
      log.error('inbound handler failed', { jid: message.jid, messageId: message.messageId, error: err })
    }
  }

  client.on(Events.Raw, (packet: GatewayDispatchPayload) => void onDispatch(packet))
  client.on(Events.ShardReady, () => health.set({ status: 'connected' }))
  client.on(Events.ShardResume, () => health.set({ status: 'connected' }))
  client.on(Events.ShardReconnecting, () =>
    health.set({ status: 'connecting', detail: 'gateway reconnecting' }),
  )
  client.on(Events.ShardDisconnect, (event) =>
    health.set({ status: 'error', detail: `gateway closed for good (code ${event.code})` }),
  )
  client.on(Events.ShardError, (error) => log.warn('gateway error', { error }))
  client.on(Events.Error, (error) => log.warn('client error', { error }))

  return {
    name: 'discord',
    maxMessageLength: DISCORD_MAX_MESSAGE_LENGTH,
    async connect(context) {
      ctx = context
      health.set({ status: 'connecting' })
      let readyTimer: ReturnType<typeof setTimeout> | undefined
      const ready = new Promise<void>((resolve, reject) => {
        readyTimer = setTimeout(
          () => reject(new Error('the gateway did not become ready in time')),
          deps.readyTimeoutMs ?? 30_000,
        )
        client.once(Events.ClientReady, () => resolve())
      })
      // If login fails, `ready` is never awaited: its timer must not surface later as an unhandled rejection.
      ready.catch(() => {})
      try {
        await client.login(deps.token)
        await ready
      } catch (err) {
        const invalid = /token/i.test(errorMessage(err))
        const error = invalid
          ? new ChannelError('Discord rejected the bot token; check DISCORD_BOT_TOKEN', {
              retryable: false,
              cause: err,
            })
          : toChannelError(err, 'login')
        health.set({ status: 'error', detail: error.message })
        await client.destroy()
        throw error
      } finally {
        clearTimeout(readyTimer)
      }
      health.set({ status: 'connected' })
      log.info('connected', { user: client.user?.tag })
    },
    async disconnect() {
      await client.destroy()
      health.set({ status: 'disconnected' })
    },
    send: (jid, text, opts) => sender.send(jid, text, opts),
    maxUploadBytes: DISCORD_MAX_UPLOAD_BYTES,
    sendFile: (jid, file, opts) => sender.sendFile(jid, file, opts),
    async setTyping(jid, on) {
      // Discord shows typing for ~10 s after one call and has no "stop"; the caller refreshes it.
      if (on) await sender.typing(jid)
    },
    health: health.get,
    formatMarkdown: markdownToDiscord,
  }
}
