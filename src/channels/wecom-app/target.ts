import { InvalidInputError } from '../../core/errors.ts'
import { parseJid } from '../../core/jid.ts'

/**
 * The app mode's platform name and JID prefix: its own channel beside the AI bot's `wecom`, so a
 * tenant can run both (the bot in groups, the app for DMs) and each shows its own state.
 */
export const WECOM_APP = 'wecom-app'

/** WeCom's text/markdown limit for app messages, in UTF-8 bytes. */
export const WECOM_APP_MAX_MESSAGE_BYTES = 2048

export interface AppTarget {
  /** userid for `wecom-app:user:<id>`, chatid of an app-created group for `wecom-app:group:<id>`. */
  id: string
  isGroup: boolean
}

export function parseAppTarget(jid: string): AppTarget {
  const j = parseJid(jid)
  if (j.platform !== WECOM_APP || (j.kind !== 'user' && j.kind !== 'group'))
    throw new InvalidInputError(
      `${jid} is not a WeCom app chat (${WECOM_APP}:user:<userid> or ${WECOM_APP}:group:<chatid>)`,
      'jid',
    )
  return { id: j.id, isGroup: j.kind === 'group' }
}
