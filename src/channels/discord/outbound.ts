import type { REST } from 'discord.js'
import { DiscordAPIError, HTTPError, RateLimitError, Routes } from 'discord.js'
import type { OutboundFile, SendOptions } from '../../core/channel/channel.ts'
import { ChannelError, errorMessage, InvalidInputError } from '../../core/errors.ts'
import { parseJid } from '../../core/jid.ts'
import type { TokenBucket } from '../../util/token-bucket.ts'

export function toChannelError(err: unknown, action: string): ChannelError {
  if (err instanceof RateLimitError)
    return new ChannelError(`Discord rate limit on ${action}: retry after ${err.retryAfter} ms`, {
      retryAfterMs: err.retryAfter,
      retryable: true,
      cause: err,
    })
  if (err instanceof DiscordAPIError)
    return new ChannelError(`Discord refused ${action}: ${err.message}`, {
      retryable: err.status >= 500,
      cause: err,
    })
  if (err instanceof HTTPError)
    return new ChannelError(`Discord failed ${action}: HTTP ${err.status}`, {
      retryable: err.status >= 500,
      cause: err,
    })
  return new ChannelError(`Discord ${action} failed: ${errorMessage(err)}`, { retryable: true, cause: err })
}

export interface DiscordSender {
  send(jid: string, text: string, opts?: SendOptions): Promise<{ messageId?: string }>
  typing(jid: string): Promise<void>
  /** One message with the file attached (Discord shows images inline) and the caption as text. */
  sendFile(jid: string, file: OutboundFile, opts?: SendOptions): Promise<{ messageId?: string }>
}

function isMessage(x: unknown): x is { id: string } {
  return typeof x === 'object' && x !== null && typeof (x as { id?: unknown }).id === 'string'
}

export function createDiscordSender(rest: REST, bucket: TokenBucket): DiscordSender {
  const dmChannels = new Map<string, string>()

  /**
   * `discord:<channel>` sends there, `discord:<channel>#<thread>` into the thread (a channel of its
   * own); `discord:user:<id>` opens (once) the DM channel with that user.
   */
  async function channelIdOf(jid: string): Promise<string> {
    const j = parseJid(jid)
    if (j.platform !== 'discord') throw new InvalidInputError(`${jid} is not a Discord chat`, 'jid')
    if (j.thread) return j.thread
    if (j.kind === undefined || j.kind === 'channel') return j.id
    if (j.kind !== 'user' && j.kind !== 'dm')
      throw new InvalidInputError(`${jid}: unsupported Discord chat kind`, 'jid')
    const known = dmChannels.get(j.id)
    if (known) return known
    await bucket.take()
    const dm = await rest.post(Routes.userChannels(), { body: { recipient_id: j.id } })
    if (!isMessage(dm)) throw new ChannelError('Discord did not return a DM channel', { retryable: true })
    dmChannels.set(j.id, dm.id)
    return dm.id
  }

  return {
    async sendFile(jid, file, opts) {
      try {
        const channelId = await channelIdOf(jid)
        const data = Buffer.from(await Bun.file(file.path).arrayBuffer())
        await bucket.take()
        const sent = await rest.post(Routes.channelMessages(channelId), {
          files: [{ name: file.name, data, contentType: file.mimeType }],
          body: {
            content: file.caption?.slice(0, 2000) ?? '',
            allowed_mentions: { parse: [] },
            message_reference: opts?.replyTo
              ? { message_id: opts.replyTo, fail_if_not_exists: false }
              : undefined,
          },
        })
        return { messageId: isMessage(sent) ? sent.id : undefined }
      } catch (err) {
        if (err instanceof InvalidInputError) throw err
        throw toChannelError(err, 'upload file')
      }
    },
    async send(jid, text, opts) {
      try {
        const channelId = await channelIdOf(jid)
        await bucket.take()
        const sent = await rest.post(Routes.channelMessages(channelId), {
          body: {
            content: text,
            // Agent output must never ping @everyone, roles or users.
            allowed_mentions: { parse: [] },
            message_reference: opts?.replyTo
              ? { message_id: opts.replyTo, fail_if_not_exists: false }
              : undefined,
          },
        })
        return { messageId: isMessage(sent) ? sent.id : undefined }
      } catch (err) {
        if (err instanceof InvalidInputError) throw err
        throw toChannelError(err, 'create message')
      }
    },
    async typing(jid) {
      try {
        const channelId = await channelIdOf(jid)
        await bucket.take()
        await rest.post(Routes.channelTyping(channelId))
      } catch (err) {
        if (err instanceof InvalidInputError) throw err
        throw toChannelError(err, 'typing')
      }
    },
  }
}
