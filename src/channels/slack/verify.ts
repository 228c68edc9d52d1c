import { ChannelError } from '../../core/errors.ts'

async function call(apiUrl: string, method: string, token: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${apiUrl.replace(/\/*$/, '/')}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
  })
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>
  if (!res.ok || body.ok !== true)
    throw new ChannelError(`Slack refused ${method}: ${String(body.error ?? `HTTP ${res.status}`)}`, {
      retryable: false,
    })
  return body
}

/**
 * `auth.test` with the bot token and `apps.connections.open` with the app token (Socket Mode needs
 * both); resolves to "<bot user> in <team>".
 */
export async function verifySlackTokens(
  botToken: string,
  appToken: string,
  apiUrl = 'https://slack.com/api/',
): Promise<string> {
  const auth = await call(apiUrl, 'auth.test', botToken)
  await call(apiUrl, 'apps.connections.open', appToken)
  return `${String(auth.user ?? 'bot')} in ${String(auth.team ?? 'workspace')}`
}
