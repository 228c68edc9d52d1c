import { ChannelError, errorMessage } from '../../core/errors.ts'
import type { ProbeResult } from '../platforms.ts'
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
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ChannelError('DingTalk did not answer within 5 s', { retryable: true })),
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
        ? 'copy the AppKey and AppSecret of the app into DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET'
        : 'check the network path to api.dingtalk.com (or DINGTALK_API_BASE)',
    }
  } finally {
    clearTimeout(timer)
  }
}
