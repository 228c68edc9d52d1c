import type { Api } from 'grammy'
import { GrammyError, HttpError, InputFile } from 'grammy'
import type { OutboundFile, SendOptions } from '../../core/channel/channel.ts'
import { ChannelError, errorMessage, InvalidInputError } from '../../core/errors.ts'
import { parseJid } from '../../core/jid.ts'
import type { TokenBucket } from '../../util/token-bucket.ts'
import { markdownToTelegramHtml, telegramHtmlToPlain } from './dialect.ts'

export interface TelegramTarget {
  chatId: number | string
  threadId?: number
}

export function parseTelegramTarget(jid: string): TelegramTarget {
  const j = parseJid(jid)
  if (j.platform !== 'telegram') throw new InvalidInputError(`${jid} is not a Telegram chat`, 'jid')
  const chatId = /^-?\d+$/.test(j.id) ? Number(j.id) : j.id
  const threadId = j.thread === undefined ? undefined : Number(j.thread)
  if (threadId !== undefined && !Number.isInteger(threadId))
    throw new InvalidInputError(`${jid}: the topic after # must be a number`, 'jid')
  return { chatId, threadId }
}

/** Telegram's error shapes → one ChannelError the send queue understands. */
export function toChannelError(err: unknown, action: string): ChannelError {
  if (err instanceof GrammyError) {
    if (err.error_code === 429) {
      const seconds = err.parameters.retry_after ?? 1
      return new ChannelError(`Telegram rate limit on ${action}: retry after ${seconds}s`, {
        retryAfterMs: seconds * 1000,
        retryable: true,
        cause: err,
      })
    }
    const retryable = err.error_code >= 500
    return new ChannelError(`Telegram refused ${action}: ${err.description}`, { retryable, cause: err })
  }
  if (err instanceof HttpError)
    return new ChannelError(`Telegram unreachable during ${action}: ${errorMessage(err.error)}`, {
      retryable: true,
      cause: err,
    })
  return new ChannelError(`Telegram ${action} failed: ${errorMessage(err)}`, { retryable: true, cause: err })
}

const isParseError = (err: unknown) =>
  err instanceof GrammyError && err.error_code === 400 && /can't parse entities/i.test(err.description)

export interface TelegramSender {
  /** Takes one Markdown chunk and sends it as HTML (see index.ts for why conversion happens here). */
  send(jid: string, markdown: string, opts?: SendOptions): Promise<{ messageId?: string }>
  typing(jid: string): Promise<void>
  /** Images up to 10 MB as photos, everything else as documents. */
  sendFile(jid: string, file: OutboundFile, opts?: SendOptions): Promise<{ messageId?: string }>
}

const PHOTO_MAX_BYTES = 10 * 1024 * 1024
const PHOTO_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp']

export function createTelegramSender(api: Api, bucket: TokenBucket): TelegramSender {
  async function sendMessage(target: TelegramTarget, text: string, html: boolean, opts?: SendOptions) {
    await bucket.take()
    const replyTo = opts?.replyTo === undefined ? undefined : Number(opts.replyTo)
    return api.sendMessage(target.chatId, text, {
      parse_mode: html ? 'HTML' : undefined,
      message_thread_id: target.threadId,
      reply_parameters:
        replyTo !== undefined && Number.isInteger(replyTo)
          ? { message_id: replyTo, allow_sending_without_reply: true }
          : undefined,
    })
  }
  return {
    async sendFile(jid, file, opts) {
      const target = parseTelegramTarget(jid)
      const replyTo = opts?.replyTo === undefined ? undefined : Number(opts.replyTo)
      const common = {
        caption: file.caption?.slice(0, 1024),
        message_thread_id: target.threadId,
        reply_parameters:
          replyTo !== undefined && Number.isInteger(replyTo)
            ? { message_id: replyTo, allow_sending_without_reply: true }
            : undefined,
      }
      const input = new InputFile(await Bun.file(file.path).bytes(), file.name)
      await bucket.take()
      const asPhoto = PHOTO_TYPES.includes(file.mimeType) && file.size <= PHOTO_MAX_BYTES
      try {
        const sent = asPhoto
          ? await api.sendPhoto(target.chatId, input, common)
          : await api.sendDocument(target.chatId, input, common)
        return { messageId: String(sent.message_id) }
      } catch (err) {
        throw toChannelError(err, asPhoto ? 'sendPhoto' : 'sendDocument')
      }
    },
    async send(jid, markdown, opts) {
      const target = parseTelegramTarget(jid)
      const html = markdownToTelegramHtml(markdown)
      try {
        const sent = await sendMessage(target, html, true, opts).catch((err: unknown) => {
          // A chunk cut through an entity, or markup we got wrong: the words matter more than the styling.
          if (isParseError(err)) return sendMessage(target, telegramHtmlToPlain(html), false, opts)
          throw err
        })
        return { messageId: String(sent.message_id) }
      } catch (err) {
        throw toChannelError(err, 'sendMessage')
      }
    },
    async typing(jid) {
      const target = parseTelegramTarget(jid)
      await bucket.take()
      try {
        await api.sendChatAction(target.chatId, 'typing', { message_thread_id: target.threadId })
      } catch (err) {
        throw toChannelError(err, 'sendChatAction')
      }
    },
  }
}
