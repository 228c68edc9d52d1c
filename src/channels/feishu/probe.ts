import { errorMessage } from '../../core/errors.ts'
import type { ProbeResult } from '../platforms.ts'

/**
 * For `ngb doctor`: does Feishu issue a tenant token for this app id and secret? One plain request,
 * so the check needs no SDK and opens no long connection.
 */
export async function probeFeishu(deps: {
  appId: string
  appSecret: string
  domain?: string
  fetch?: typeof fetch
}): Promise<ProbeResult> {
  const base = (deps.domain ?? 'https://open.feishu.cn').replace(/\/+$/, '')
  try {
    const res = await (deps.fetch ?? fetch)(`${base}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ app_id: deps.appId, app_secret: deps.appSecret }),
      signal: AbortSignal.timeout(5000),
    })
    const body = (await res.json().catch(() => ({}))) as { code?: unknown; msg?: unknown }
    if (body.code === 0) return { ok: true, detail: 'credentials accepted (tenant token issued)' }
    if (res.status >= 500 || body.code === undefined)
      return {
        ok: false,
        detail: `Feishu answered HTTP ${res.status}`,
        hint: `check the network path to ${base} (or FEISHU_DOMAIN)`,
      }
    return {
      ok: false,
      detail: `bad credentials: code ${String(body.code)} ${String(body.msg ?? '')}`.trim(),
      hint: 'copy the App ID and App Secret of the self-built app into FEISHU_APP_ID and FEISHU_APP_SECRET',
    }
  } catch (err) {
    return {
      ok: false,
      detail: errorMessage(err),
      hint: `check the network path to ${base} (or FEISHU_DOMAIN)`,
    }
  }
}
