import * as v from 'valibot'
import { ChannelError, errorMessage } from '../../core/errors.ts'

export interface AppTokenDeps<S extends v.GenericSchema> {
  /** "DingTalk", "QQ": names the platform in errors. */
  platform: string
  url: string
  /** The JSON body carrying the app's credentials. */
  body: unknown
  /** Shape of a successful answer. */
  schema: S
  /** Where the token and its lifetime (seconds) sit in a successful answer. */
  read: (answer: v.InferOutput<S>) => { value: string; expiresInS: number }
  /** The config keys to check when the platform refuses the credentials. */
  credentialKeys: string
  now?: () => number
}

/**
 * An app access token from a JSON token endpoint: fetched on first use (one request however many
 * callers wait), renewed 60 s before it expires, or at once after invalidate() (the platform refused it).
 */
export function createAppToken<S extends v.GenericSchema>(deps: AppTokenDeps<S>) {
  const now = deps.now ?? Date.now
  let token: { value: string; renewAt: number } | undefined
  let inFlight: Promise<string> | undefined

  async function fetchToken(): Promise<string> {
    let res: Response
    try {
      res = await fetch(deps.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(deps.body),
      })
    } catch (err) {
      throw new ChannelError(`${deps.platform} token request failed: ${errorMessage(err)}`, {
        retryable: true,
        cause: err,
      })
    }
    const parsed = v.safeParse(deps.schema, await res.json().catch(() => undefined))
    if (!res.ok || !parsed.success) {
      throw new ChannelError(
        `${deps.platform} refused the access token request (HTTP ${res.status}); check ${deps.credentialKeys}`,
        { retryable: res.status >= 500 || res.status === 429 },
      )
    }
    const { value, expiresInS } = deps.read(parsed.output)
    token = { value, renewAt: now() + expiresInS * 1000 - 60_000 }
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
    /** The platform said the token is no longer valid (revoked, or expired early). */
    invalidate() {
      token = undefined
    },
  }
}
export type AppToken = ReturnType<typeof createAppToken>
