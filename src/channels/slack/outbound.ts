import type { WebClient } from '@slack/web-api'
import { ErrorCode } from '@slack/web-api'
import type { OutboundFile, SendOptions } from '../../core/channel/channel.ts'
import { ChannelError, errorMessage, InvalidInputError } from '../../core/errors.ts'
import { parseJid } from '../../core/jid.ts'
import type { TokenBucket } from '../../util/token-bucket.ts'

const TRANSIENT_PLATFORM_ERRORS = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
])

function field(err: unknown, key: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[key] : undefined
}

/** The web-api's coded errors → one ChannelError the send queue understands. */
export function toChannelError(err: unknown, action: string): ChannelError {
  const code = field(err, 'code')
  if (code === ErrorCode.RateLimitedError) {
    const seconds = Number(field(err, 'retryAfter') ?? 1)
    return new ChannelError(`Slack rate limit on ${action}: retry after ${seconds}s`, {
      retryAfterMs: seconds * 1000,
      retryable: true,
      cause: err,
    })
  }
  if (code === ErrorCode.HTTPError) {
    const status = Number(field(err, 'statusCode') ?? 0)
    return new ChannelError(`Slack ${action} failed: HTTP ${status}`, {
      retryable: status >= 500,
      cause: err,
    })
  }
  if (code === ErrorCode.PlatformError) {
    const data = field(err, 'data')
    const reason = String(field(data, 'error') ?? 'unknown_error')
    const hint = reason === 'not_in_channel' ? ' (invite the app to the channel)' : ''
    return new ChannelError(`Slack refused ${action}: ${reason}${hint}`, {
      retryable: TRANSIENT_PLATFORM_ERRORS.has(reason),
      cause: err,
    })
  }
  return new ChannelError(`Slack ${action} failed: ${errorMessage(err)}`, { retryable: true, cause: err })
}

export function parseSlackTarget(jid: string): { channel: string; threadTs?: string } {
  const j = parseJid(jid)
  if (j.platform !== 'slack') throw new InvalidInputError(`${jid} is not a Slack chat`, 'jid')
  return { channel: j.id, threadTs: j.thread }
}

export function createSlackSender(web: WebClient, bucket: TokenBucket) {
  return {
    /**
     * Slack's external upload flow: files.getUploadURLExternal, the bytes POSTed to the signed URL
     * it returns (no token: the URL is the credential), then files.completeUploadExternal shares it.
     */
    async sendFile(jid: string, file: OutboundFile, opts?: SendOptions): Promise<{ messageId?: string }> {
      const target = parseSlackTarget(jid)
      const bytes = await Bun.file(file.path).bytes()
      await bucket.take()
      let step = 'files.getUploadURLExternal'
      try {
        const url = await web.files.getUploadURLExternal({ filename: file.name, length: bytes.length })
        if (!url.upload_url || !url.file_id) throw new Error('Slack gave no upload URL')
        step = 'file upload'
        const res = await fetch(url.upload_url, {
          method: 'POST',
          headers: { 'content-type': file.mimeType },
          body: bytes,
        })
        if (!res.ok)
          throw new ChannelError(`Slack upload answered HTTP ${res.status}`, { retryable: res.status >= 500 })
        step = 'files.completeUploadExternal'
        await web.files.completeUploadExternal({
          files: [{ id: url.file_id, title: file.name }],
          channel_id: target.channel,
          thread_ts: target.threadTs ?? opts?.replyTo,
          initial_comment: file.caption,
        })
        return { messageId: url.file_id }
      } catch (err) {
        if (err instanceof ChannelError) throw err
        throw toChannelError(err, step)
      }
    },
    async send(jid: string, text: string, opts?: SendOptions): Promise<{ messageId?: string }> {
      const target = parseSlackTarget(jid)
      await bucket.take()
      try {
        const res = await web.chat.postMessage({
          channel: target.channel,
          text,
          // Slack's way of replying to one message is a thread under it.
          thread_ts: target.threadTs ?? opts?.replyTo,
          mrkdwn: true,
          unfurl_links: false,
        })
        return { messageId: res.ts }
      } catch (err) {
        throw toChannelError(err, 'chat.postMessage')
      }
    },
  }
}
