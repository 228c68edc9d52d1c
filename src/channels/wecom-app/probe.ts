import type { ProbeResult } from '../platforms.ts'
import { probeWith } from '../shared/probe.ts'
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
  return probeWith(() => api.accessToken().then(() => 'access token issued'), {
    platform: 'WeCom',
    refused:
      'copy the CorpID and the app’s Secret from the WeCom admin console into WECOM_CORP_ID and WECOM_CORP_SECRET',
    unreachable: `check the network path to ${apiBase} (or WECOM_API_BASE)`,
  })
}
