import { ChannelError, errorMessage } from '../../core/errors.ts'
import type { ProbeResult } from '../platforms.ts'
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
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ChannelError('QQ did not answer within 5 s', { retryable: true })),
      5000,
    )
  })
  try {
    await Promise.race([token.get(), timeout])
    return { ok: true, detail: 'credentials accepted (access token issued)' }
  } catch (err) {
    const bad = err instanceof ChannelError && !err.retryable
    return {
      ok: false,
      detail: bad ? `bad credentials: ${errorMessage(err)}` : errorMessage(err),
      hint: bad
        ? 'copy the bot’s AppID and AppSecret from the QQ bot console into QQ_APP_ID and QQ_APP_SECRET'
        : 'check the network path to bots.qq.com (or QQ_TOKEN_URL)',
    }
  } finally {
    clearTimeout(timer)
  }
}
