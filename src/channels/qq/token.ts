import * as v from 'valibot'
import { ChannelError, errorMessage } from '../../core/errors.ts'

/** `expires_in` arrives as a string ("7200"). */
const TokenResult = v.object({ access_token: v.string(), expires_in: v.union([v.string(), v.number()]) })

export interface QqTokenDeps {
  tokenUrl: string
  appId: string
  appSecret: string
  now?: () => number
}

/**
 * The bot's access token (`Authorization: QQBot <token>` on every OpenAPI call and in Identify):
 * fetched on first use, renewed 60 s before it expires or at once when the platform refuses it.
 */
export function createQqToken(deps: QqTokenDeps) {
  const now = deps.now ?? Date.now
  let token: { value: string; renewAt: number } | undefined
  let inFlight: Promise<string> | undefined

  async function fetchToken(): Promise<string> {
    let res: Response
    try {
      res = await fetch(deps.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appId: deps.appId, clientSecret: deps.appSecret }),
      })
    } catch (err) {
      throw new ChannelError(`QQ token request failed: ${errorMessage(err)}`, { retryable: true, cause: err })
    }
    const parsed = v.safeParse(TokenResult, await res.json().catch(() => undefined))
    if (!res.ok || !parsed.success) {
      throw new ChannelError(
        `QQ refused the access token request (HTTP ${res.status}); check QQ_APP_ID and QQ_APP_SECRET`,
        { retryable: res.status >= 500 || res.status === 429 },
      )
    }
    const seconds = Number(parsed.output.expires_in) || 7200
    token = { value: parsed.output.access_token, renewAt: now() + seconds * 1000 - 60_000 }
    return token.value
  }

  return {
    get(): Promise<string> {
      if (token && now() < token.renewAt) return Promise.resolve(token.value)
      inFlight ??= fetchToken().finally(() => {
        inFlight = undefined
      })
      return inFlight
    },
    invalidate() {
      token = undefined
    },
  }
}
export type QqToken = ReturnType<typeof createQqToken>
