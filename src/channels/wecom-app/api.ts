import { ChannelError, errorMessage } from '../../core/errors.ts'
import type { AppTarget } from './target.ts'

/** access_token invalid (40014), expired (42001) or wrong secret (40001): fetch a new one. */
const TOKEN_INVALID = new Set([40001, 40014, 42001])
const SYSTEM_BUSY = -1
/** "API call frequency exceeded"; WeCom names no delay, so the send queue waits 1 s. */
const RATE_LIMITED = 45009

export interface AppApiDeps {
  /** Default https://qyapi.weixin.qq.com. */
  apiBase: string
  corpId: string
  corpSecret: string
  agentId: string
}

interface ApiAnswer {
  errcode?: number
  errmsg?: string
  access_token?: string
  expires_in?: number
  msgid?: string
}

async function call(url: string, init?: RequestInit): Promise<ApiAnswer> {
  let res: Response
  try {
    res = await fetch(url, init)
  } catch (err) {
    throw new ChannelError(`WeCom API unreachable: ${errorMessage(err)}`, { retryable: true, cause: err })
  }
  if (!res.ok)
    throw new ChannelError(`WeCom API answered HTTP ${res.status}`, {
      retryable: res.status >= 500 || res.status === 429,
    })
  return (await res.json()) as ApiAnswer
}

/**
 * The app's REST side: access token (cached until 5 minutes before WeCom's expiry, replaced at
 * once when WeCom calls it invalid) and message/send or appchat/send. Errors arrive with HTTP 200
 * and an errcode, so every answer is checked.
 */
export function createAppApi(deps: AppApiDeps) {
  const base = deps.apiBase.replace(/\/+$/, '')
  let token: { value: string; expiresAt: number } | undefined

  async function accessToken(): Promise<string> {
    if (token && token.expiresAt > Date.now()) return token.value
    const q = new URLSearchParams({ corpid: deps.corpId, corpsecret: deps.corpSecret })
    const a = await call(`${base}/cgi-bin/gettoken?${q}`)
    if (a.errcode || !a.access_token)
      throw new ChannelError(
        `WeCom refused the app credentials: errcode ${a.errcode} ${a.errmsg ?? ''} (check WECOM_CORP_ID and WECOM_CORP_SECRET)`.trim(),
        { retryable: a.errcode === SYSTEM_BUSY },
      )
    token = { value: a.access_token, expiresAt: Date.now() + ((a.expires_in ?? 7200) - 300) * 1000 }
    return token.value
  }

  async function post(path: string, body: Record<string, unknown>): Promise<ApiAnswer> {
    for (let attempt = 1; ; attempt++) {
      const t = await accessToken()
      const a = await call(`${base}${path}?access_token=${encodeURIComponent(t)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      const code = a.errcode ?? 0
      if (code === 0) return a
      if (TOKEN_INVALID.has(code) && attempt === 1) {
        token = undefined
        continue
      }
      if (code === RATE_LIMITED)
        throw new ChannelError('WeCom rate limit (errcode 45009)', { retryAfterMs: 1000, retryable: true })
      throw new ChannelError(`WeCom refused ${path}: errcode ${code} ${a.errmsg ?? ''}`.trim(), {
        retryable: code === SYSTEM_BUSY || TOKEN_INVALID.has(code),
      })
    }
  }

  return {
    accessToken,
    async send(target: AppTarget, markdown: string): Promise<{ messageId?: string }> {
      const content = { msgtype: 'markdown', markdown: { content: markdown } }
      const a = target.isGroup
        ? await post('/cgi-bin/appchat/send', { chatid: target.id, ...content })
        : await post('/cgi-bin/message/send', {
            touser: target.id,
            agentid: Number(deps.agentId),
            ...content,
          })
      return { messageId: a.msgid }
    },
  }
}
