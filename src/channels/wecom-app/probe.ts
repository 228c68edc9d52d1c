import { ChannelError, errorMessage } from '../../core/errors.ts'
import type { ProbeResult } from '../platforms.ts'
import { createAppApi } from './api.ts'

/** For `ngb doctor`: does WeCom issue an access token for this corp id and app secret? */
export async function probeWecomApp(deps: {
  corpId: string
  corpSecret: string
  agentId: string
  apiBase?: string
}): Promise<ProbeResult> {
  const apiBase = deps.apiBase ?? 'https://qyapi.weixin.qq.com'
  const api = createAppApi({ ...deps, apiBase })
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ChannelError('WeCom did not answer within 5 s', { retryable: true })),
      5000,
    )
  })
  try {
    await Promise.race([api.accessToken(), timeout])
    return { ok: true, detail: 'credentials accepted (access token issued)' }
  } catch (err) {
    const bad = err instanceof ChannelError && !err.retryable
    return {
      ok: false,
      detail: bad ? `bad credentials: ${errorMessage(err)}` : errorMessage(err),
      hint: bad
        ? 'copy the CorpID and the app’s Secret from the WeCom admin console into WECOM_CORP_ID and WECOM_CORP_SECRET'
        : `check the network path to ${apiBase} (or WECOM_API_BASE)`,
    }
  } finally {
    clearTimeout(timer)
  }
}
