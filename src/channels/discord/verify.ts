import { ChannelError } from '../../core/errors.ts'

/** `GET /users/@me` as the bot: resolves to its user name, or throws with what Discord said. */
export async function verifyDiscordToken(
  token: string,
  apiBase = 'https://discord.com/api',
): Promise<string> {
  const res = await fetch(`${apiBase.replace(/\/+$/, '')}/v10/users/@me`, {
    headers: { authorization: `Bot ${token}` },
  })
  const body = (await res.json().catch(() => ({}))) as { message?: string; username?: string }
  if (!res.ok)
    throw new ChannelError(`Discord refused the bot token: ${body.message ?? `HTTP ${res.status}`}`, {
      retryable: false,
    })
  return body.username ?? 'unknown'
}
