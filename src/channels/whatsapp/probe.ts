import * as v from 'valibot'
import { ChannelError, errorMessage } from '../../core/errors.ts'
import type { ProbeResult } from '../platforms.ts'
import { probeFailure } from '../shared/probe.ts'
import { graphError } from './outbound.ts'

const NumberInfo = v.object({ display_phone_number: v.optional(v.string()) })

/** `<graph base>/<version>/<phone number id>`: the number's own Graph node. */
export function numberUrl(apiBase: string | undefined, phoneNumberId: string, apiVersion = 'v21.0'): string {
  return `${(apiBase ?? 'https://graph.facebook.com').replace(/\/+$/, '')}/${apiVersion}/${phoneNumberId}`
}

/**
 * Reads the number's profile: proves the token and the number id, and gives the display number
 * (digits only) that `@<number>` mentions use. Throws ChannelError (retryable: false for a refused token).
 */
export async function readNumber(
  url: string,
  accessToken: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  let res: Response
  try {
    res = await fetch(`${url}?fields=display_phone_number,verified_name`, {
      headers: { authorization: `Bearer ${accessToken}` },
      signal,
    })
  } catch (err) {
    throw new ChannelError(`Graph API not reachable: ${errorMessage(err)}`, { retryable: true, cause: err })
  }
  if (!res.ok) throw await graphError(res, 'the phone number check', url.split('/').at(-1) ?? '')
  const info = v.safeParse(NumberInfo, await res.json().catch(() => undefined))
  return info.success ? info.output.display_phone_number?.replace(/\D/g, '') : undefined
}

/** For `ngb doctor`: does Graph accept the token for this number? */
export async function probeWhatsApp(deps: {
  accessToken: string
  phoneNumberId: string
  apiBase?: string
}): Promise<ProbeResult> {
  try {
    const phone = await readNumber(
      numberUrl(deps.apiBase, deps.phoneNumberId),
      deps.accessToken,
      AbortSignal.timeout(5000),
    )
    return { ok: true, detail: `credentials accepted for +${phone ?? deps.phoneNumberId}` }
  } catch (err) {
    return probeFailure(err, {
      refused: 'check WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID in the Meta app dashboard',
      unreachable: 'check the network path to the Graph API (or WHATSAPP_API_BASE)',
    })
  }
}
