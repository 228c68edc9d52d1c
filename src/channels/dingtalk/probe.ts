import type { ProbeResult } from '../platforms.ts'
import { probeWith } from '../shared/probe.ts'
import { createAccessToken } from './outbound.ts'

/** For `ngb doctor`: does DingTalk hand out an access token for this AppKey and AppSecret? */
export async function probeDingTalk(deps: {
  clientId: string
  clientSecret: string
  apiBase?: string
}): Promise<ProbeResult> {
  const token = createAccessToken({
    apiBase: (deps.apiBase ?? 'https://api.dingtalk.com').replace(/\/+$/, ''),
    clientId: deps.clientId,
    clientSecret: deps.clientSecret,
  })
  return probeWith(() => token.get().then(() => 'access token issued'), {
    platform: 'DingTalk',
    refused: 'copy the AppKey and AppSecret of the app into DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET',
    unreachable: 'check the network path to api.dingtalk.com (or DINGTALK_API_BASE)',
  })
}
