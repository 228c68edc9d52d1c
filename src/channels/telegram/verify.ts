import { ChannelError } from '../../core/errors.ts'

/** `getMe` with the token: resolves to `@username`, or throws with what Telegram said. */
export async function verifyTelegramToken(
  token: string,
  apiRoot = 'https://api.telegram.org',
): Promise<string> {
  const res = await fetch(`${apiRoot.replace(/\/+$/, '')}/bot${token}/getMe`, { method: 'POST' })
  const body = (await res.json().catch(() => ({}))) as {
    ok?: boolean
    description?: string
    result?: { username?: string }
  }
  if (!res.ok || !body.ok)
    throw new ChannelError(`Telegram refused the bot token: ${body.description ?? `HTTP ${res.status}`}`, {
      retryable: false,
    })
  return `@${body.result?.username ?? 'unknown'}`
}
