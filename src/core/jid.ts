import { InvalidInputError } from './errors.ts'

export const JID_KINDS = ['user', 'group', 'channel', 'dm'] as const
export type JidKind = (typeof JID_KINDS)[number]

export interface Jid {
  platform: string
  kind?: JidKind
  id: string
  thread?: string
}

/**
 * `<platform>:<id>` or `<platform>:<kind>:<id>`, optional `#<thread>`. Split on `:`, never by offsets:
 * ids may contain ':', '/', '+', '=' (the predecessor's fixed slices were off by one).
 */
export function parseJid(jid: string): Jid {
  const hash = jid.indexOf('#')
  const base = hash === -1 ? jid : jid.slice(0, hash)
  const thread = hash === -1 ? undefined : jid.slice(hash + 1)
  const first = base.indexOf(':')
  if (first <= 0 || first === base.length - 1) {
    throw new InvalidInputError(
      `invalid chat id "${jid}": expected <platform>:<id>, e.g. telegram:12345`,
      'jid',
    )
  }
  const platform = base.slice(0, first)
  if (!/^[a-z][a-z0-9_-]*$/.test(platform)) {
    throw new InvalidInputError(
      `invalid chat id "${jid}": platform "${platform}" must be lowercase letters`,
      'jid',
    )
  }
  let rest = base.slice(first + 1)
  let kind: JidKind | undefined
  const second = rest.indexOf(':')
  if (second > 0 && (JID_KINDS as readonly string[]).includes(rest.slice(0, second))) {
    kind = rest.slice(0, second) as JidKind
    rest = rest.slice(second + 1)
  }
  if (rest === '') throw new InvalidInputError(`invalid chat id "${jid}": the id part is empty`, 'jid')
  if (thread === '')
    throw new InvalidInputError(`invalid chat id "${jid}": the thread after # is empty`, 'jid')
  return { platform, kind, id: rest, thread }
}

export function formatJid(j: Jid): string {
  return `${j.platform}:${j.kind ? `${j.kind}:` : ''}${j.id}${j.thread ? `#${j.thread}` : ''}`
}

/** The chat a threaded JID belongs to (bindings are per chat, replies go to the thread). */
export function chatOf(jid: string): string {
  const hash = jid.indexOf('#')
  return hash === -1 ? jid : jid.slice(0, hash)
}

/**
 * The dashboard's chat with a group (the built-in `web` platform): its id is the group folder, so
 * it exists for every group without a binding. Tasks report there when no chat is named or bound.
 */
export function dashboardChatOf(folder: string): string {
  return `web:${folder}`
}
