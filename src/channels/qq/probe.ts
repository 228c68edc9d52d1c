import type { ProbeResult } from '../platforms.ts'
import { probeWith } from '../shared/probe.ts'
import { createQqToken } from './token.ts'

/** For `ngb doctor`: does QQ hand out an access token for this app id and secret? */
export async function probeQq(deps: {
  appId: string
  appSecret: string
  apiBase?: string
  tokenUrl?: string
}): Promise<ProbeResult> {
  const token = createQqToken({
    tokenUrl: deps.tokenUrl ?? 'https://bots.qq.com/app/getAppAccessToken',
    appId: deps.appId,
    appSecret: deps.appSecret,
  })
  return probeWith(() => token.get().then(() => 'access token issued'), {
    platform: 'QQ',
    refused: 'copy the bot’s AppID and AppSecret from the QQ bot console into QQ_APP_ID and QQ_APP_SECRET',
    unreachable: 'check the network path to bots.qq.com (or QQ_TOKEN_URL)',
  })
}
