import { ChannelError, errorMessage, InvalidInputError } from '../../core/errors.ts'
import { parseJid } from '../../core/jid.ts'

/**
 * WeCom limits app and markdown messages to 2048 bytes of UTF-8; the AI bot's stream takes 20480,
 * but one limit for every path keeps a reply's pieces the same whichever path carries them.
 */
export const WECOM_MAX_MESSAGE_BYTES = 2048
/** WeCom's "API call frequency exceeded"; it names no delay, so the send queue waits this long. */
export const WECOM_RATE_LIMITED = 45009
const RATE_LIMIT_WAIT_MS = 1000
/** "System busy, retry": the platform's transient failure. */
const SYSTEM_BUSY = -1

export interface WecomTarget {
  /** The chatid of a group, or the userid of a single chat (what aibot_send_msg expects). */
  chatid: string
  isGroup: boolean
}

export function parseWecomTarget(jid: string): WecomTarget {
  const j = parseJid(jid)
  if (j.platform !== 'wecom' || (j.kind !== 'user' && j.kind !== 'group'))
    throw new InvalidInputError(`${jid} is not a WeCom chat (wecom:user:<id> or wecom:group:<id>)`, 'jid')
  return { chatid: j.id, isGroup: j.kind === 'group' }
}

function errcodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('errcode' in err)) return undefined
  const code = (err as { errcode: unknown }).errcode
  return typeof code === 'number' ? code : undefined
}

/**
 * The SDK rejects with the ack frame (`{errcode, errmsg}`) when WeCom refuses a reply, and with an
 * Error when the socket is down or no ack came in time: both become a ChannelError.
 */
export function toChannelError(err: unknown, action: string): ChannelError {
  const code = errcodeOf(err)
  if (code === WECOM_RATE_LIMITED)
    return new ChannelError(`WeCom rate limit on ${action} (errcode 45009)`, {
      retryAfterMs: RATE_LIMIT_WAIT_MS,
      retryable: true,
      cause: err,
    })
  if (code !== undefined) {
    const errmsg = String((err as { errmsg?: unknown }).errmsg ?? '')
    return new ChannelError(`WeCom refused ${action}: errcode ${code} ${errmsg}`.trim(), {
      retryable: code === SYSTEM_BUSY,
      cause: err,
    })
  }
  // Not connected, ack timeout, reply queue full: the connection is being re-established.
  return new ChannelError(`WeCom ${action} failed: ${errorMessage(err)}`, { retryable: true, cause: err })
}
