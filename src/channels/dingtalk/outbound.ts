import * as v from 'valibot'
import { ChannelError, errorMessage, InvalidInputError } from '../../core/errors.ts'
import { parseJid } from '../../core/jid.ts'
import type { TokenBucket } from '../../util/token-bucket.ts'
import { createAppToken } from '../shared/app-token.ts'

const TokenResult = v.object({ accessToken: v.string(), expireIn: v.number() })
const WebhookResult = v.object({ errcode: v.optional(v.number()), errmsg: v.optional(v.string()) })
const ApiError = v.object({ code: v.optional(v.string()), message: v.optional(v.string()) })

/** errcodes of the session webhook that mean "too fast": 130101 send too fast, 130102 … */
const THROTTLED = new Set([130101, 130102, 90018, 660026])

export interface AccessTokenDeps {
  apiBase: string
  clientId: string
  clientSecret: string
  now?: () => number
}

/** The app's access token for the robot APIs: fetched on first use, renewed 60 s before expiry or when refused. */
export function createAccessToken(deps: AccessTokenDeps) {
  return createAppToken({
    platform: 'DingTalk',
    url: `${deps.apiBase}/v1.0/oauth2/accessToken`,
    body: { appKey: deps.clientId, appSecret: deps.clientSecret },
    schema: TokenResult,
    read: (r) => ({ value: r.accessToken, expiresInS: r.expireIn }),
    credentialKeys: 'DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET',
    now: deps.now,
  })
}
export type AccessToken = ReturnType<typeof createAccessToken>

export function parseDingTalkTarget(jid: string): { kind: 'user' | 'group'; id: string } {
  const j = parseJid(jid)
  if (j.platform !== 'dingtalk' || (j.kind !== 'user' && j.kind !== 'group'))
    throw new InvalidInputError(
      `${jid}: DingTalk chats are dingtalk:user:<staffId> or dingtalk:group:<id>`,
      'jid',
    )
  return { kind: j.kind, id: j.id }
}

/** The notification title DingTalk shows for a markdown message: its first line, without markup. */
export function titleOf(text: string): string {
  const first = text.split('\n').find((l) => l.trim() !== '') ?? ''
  const plain = first.replace(/[#*_`>~[\]]/g, '').trim()
  return plain.length > 30 ? `${plain.slice(0, 29)}…` : plain || 'Reply'
}

function retryAfter(res: Response): number | undefined {
  const s = Number(res.headers.get('retry-after') ?? Number.NaN)
  return Number.isFinite(s) ? s * 1000 : undefined
}

export interface DingTalkSenderDeps {
  apiBase: string
  clientId: string
  token: AccessToken
  bucket: TokenBucket
  now?: () => number
}

export interface Session {
  url: string
  expiresAt: number
}

export function createDingTalkSender(deps: DingTalkSenderDeps) {
  const now = deps.now ?? Date.now
  /** The latest session webhook per chat, from its last inbound message. */
  const sessions = new Map<string, Session>()
  let robotCode = deps.clientId

  async function viaSession(session: Session, text: string): Promise<{ messageId?: string }> {
    let res: Response
    try {
      res = await fetch(session.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msgtype: 'markdown', markdown: { title: titleOf(text), text } }),
      })
    } catch (err) {
      throw new ChannelError(`DingTalk reply failed: ${errorMessage(err)}`, { retryable: true, cause: err })
    }
    const body = v.safeParse(WebhookResult, await res.json().catch(() => undefined))
    const errcode = body.success ? (body.output.errcode ?? 0) : -1
    if (res.status === 429 || THROTTLED.has(errcode)) {
      throw new ChannelError(`DingTalk rate limit on reply (errcode ${errcode})`, {
        retryable: true,
        retryAfterMs: retryAfter(res) ?? 1000,
      })
    }
    if (res.status >= 500)
      throw new ChannelError(`DingTalk reply failed: HTTP ${res.status}`, { retryable: true })
    if (!res.ok || errcode !== 0) {
      const msg = body.success ? body.output.errmsg : undefined
      throw new ChannelError(`DingTalk refused the reply: errcode ${errcode}${msg ? ` (${msg})` : ''}`, {
        retryable: false,
      })
    }
    return { messageId: `session-${now()}` }
  }

  async function viaApi(target: { kind: 'user' | 'group'; id: string }, text: string, retried = false) {
    const token = await deps.token.get()
    const msgParam = JSON.stringify({ title: titleOf(text), text })
    const [path, body] =
      target.kind === 'user'
        ? [
            '/v1.0/robot/oToMessages/batchSend',
            { robotCode, userIds: [target.id], msgKey: 'sampleMarkdown', msgParam },
          ]
        : [
            '/v1.0/robot/groupMessages/send',
            { robotCode, openConversationId: target.id, msgKey: 'sampleMarkdown', msgParam },
          ]
    let res: Response
    try {
      res = await fetch(`${deps.apiBase}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': token },
        body: JSON.stringify(body),
      })
    } catch (err) {
      throw new ChannelError(`DingTalk send failed: ${errorMessage(err)}`, { retryable: true, cause: err })
    }
    const json: unknown = await res.json().catch(() => undefined)
    if (res.ok) {
      const key = (json as { processQueryKey?: unknown } | undefined)?.processQueryKey
      return { messageId: typeof key === 'string' ? key : undefined }
    }
    const err = v.safeParse(ApiError, json)
    const code = err.success ? err.output.code : undefined
    if ((res.status === 401 || code === 'InvalidAuthentication') && !retried) {
      // The token expired early or was revoked: a fresh one, then the same message once more.
      deps.token.invalidate()
      return viaApi(target, text, true)
    }
    if (res.status === 429 || code === 'Throttling' || res.status >= 500) {
      throw new ChannelError(`DingTalk send failed: HTTP ${res.status}${code ? ` (${code})` : ''}`, {
        retryable: true,
        retryAfterMs: retryAfter(res) ?? (res.status === 429 || code === 'Throttling' ? 1000 : undefined),
      })
    }
    const detail = err.success ? err.output.message : undefined
    throw new ChannelError(
      `DingTalk refused the message: HTTP ${res.status} ${code ?? ''}${detail ? ` (${detail})` : ''}`,
      {
        retryable: false,
      },
    )
  }

  return {
    /** Remembers where replies to this chat can go without a token, until the webhook expires. */
    rememberSession(jid: string, session: Session, code?: string) {
      sessions.set(jid, session)
      if (code) robotCode = code
    },
    async send(jid: string, text: string): Promise<{ messageId?: string }> {
      const target = parseDingTalkTarget(jid)
      await deps.bucket.take()
      const session = sessions.get(jid)
      // A minute of margin: a webhook that expires in flight would lose the message.
      if (session && session.expiresAt - 60_000 > now()) {
        try {
          return await viaSession(session, text)
        } catch (err) {
          // Expired or revoked early (errcode 300001 …): the robot API still reaches the chat.
          if (!(err instanceof ChannelError) || err.retryable) throw err
          sessions.delete(jid)
        }
      }
      return viaApi(target, text)
    },
  }
}
