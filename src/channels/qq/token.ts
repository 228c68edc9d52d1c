import * as v from 'valibot'
import { createAppToken } from '../shared/app-token.ts'

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
  return createAppToken({
    platform: 'QQ',
    url: deps.tokenUrl,
    body: { appId: deps.appId, clientSecret: deps.appSecret },
    schema: TokenResult,
    read: (r) => ({ value: r.access_token, expiresInS: Number(r.expires_in) || 7200 }),
    credentialKeys: 'QQ_APP_ID and QQ_APP_SECRET',
    now: deps.now,
  })
}
export type QqToken = ReturnType<typeof createQqToken>
