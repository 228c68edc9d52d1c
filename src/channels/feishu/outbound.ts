import { ChannelError, errorMessage, InvalidInputError } from '../../core/errors.ts'
import { parseJid } from '../../core/jid.ts'

export type ReceiveIdType = 'chat_id' | 'open_id' | 'union_id'

export interface FeishuTarget {
  receiveId: string
  receiveIdType: ReceiveIdType
  /** Root message of a thread: replies go into it with reply_in_thread. */
  rootId?: string
}

/** The id's prefix names its kind: oc_ a chat, ou_ a user (open_id), on_ a user (union_id). */
export function parseFeishuTarget(jid: string): FeishuTarget {
  const j = parseJid(jid)
  if (j.platform !== 'feishu') throw new InvalidInputError(`${jid} is not a Feishu/Lark chat`, 'jid')
  const prefix = j.id.slice(0, 3)
  const type: ReceiveIdType | undefined =
    prefix === 'oc_' ? 'chat_id' : prefix === 'ou_' ? 'open_id' : prefix === 'on_' ? 'union_id' : undefined
  if (!type)
    throw new InvalidInputError(
      `${jid}: a Feishu id starts with oc_ (chat), ou_ (open_id) or on_ (union_id)`,
      'jid',
    )
  return { receiveId: j.id, receiveIdType: type, rootId: j.thread }
}

/** Plain `text` does not render Markdown; a card's markdown element does. */
export function formatCard(markdown: string): string {
  return JSON.stringify({
    config: { wide_screen_mode: true },
    elements: [{ tag: 'markdown', content: markdown }],
  })
}

/** Business codes that mean "too fast" (frequency limit, per-chat limit, tenant message limit). */
const RATE_LIMIT_CODES = new Set([99991400, 230020, 11232])
/** The tenant token was revoked or expired before the SDK's cache says so. */
export const TOKEN_INVALID_CODES = new Set([99991661, 99991663, 99991668])

interface HttpFailure {
  status?: number
  code?: number
  msg?: string
  resetSeconds?: number
}

/** Reads an axios error (or a `{code, msg}` body returned with HTTP 200) without trusting its shape. */
export function readFailure(err: unknown): HttpFailure {
  if (typeof err !== 'object' || err === null) return {}
  const o = err as Record<string, unknown>
  const response = (o.response ?? undefined) as
    | { status?: unknown; data?: unknown; headers?: Record<string, unknown> }
    | undefined
  const body = (response ? response.data : o) as Record<string, unknown> | undefined
  const reset = response?.headers?.['x-ogw-ratelimit-reset']
  return {
    status: typeof response?.status === 'number' ? response.status : undefined,
    code: typeof body?.code === 'number' ? body.code : undefined,
    msg: typeof body?.msg === 'string' ? body.msg : undefined,
    resetSeconds: reset !== undefined && Number.isFinite(Number(reset)) ? Number(reset) : undefined,
  }
}

export function isTokenInvalid(err: unknown): boolean {
  const code = readFailure(err).code
  return code !== undefined && TOKEN_INVALID_CODES.has(code)
}

export function toChannelError(err: unknown, action: string): ChannelError {
  const f = readFailure(err)
  const what = [f.status ? `HTTP ${f.status}` : '', f.code !== undefined ? `code ${f.code}` : '', f.msg ?? '']
    .filter((s) => s)
    .join(' ')
  if (f.status === 429 || (f.code !== undefined && RATE_LIMIT_CODES.has(f.code))) {
    // Feishu names the wait only in the gateway's header; its business codes say "back off 0.5–2 s".
    const waitMs = f.resetSeconds !== undefined ? Math.max(1, f.resetSeconds) * 1000 : 1000
    return new ChannelError(`Feishu rate limit on ${action} (${what})`, {
      retryAfterMs: waitMs,
      retryable: true,
      cause: err,
    })
  }
  if (f.status !== undefined || f.code !== undefined) {
    const retryable = (f.status ?? 0) >= 500 || (f.code !== undefined && TOKEN_INVALID_CODES.has(f.code))
    return new ChannelError(`Feishu refused ${action}: ${what}`, { retryable, cause: err })
  }
  return new ChannelError(`Feishu ${action} failed: ${errorMessage(err)}`, { retryable: true, cause: err })
}
