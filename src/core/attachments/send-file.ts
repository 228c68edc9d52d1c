import { basename, join } from 'node:path'
import type { SendFileAction } from '../../protocol/attachments.ts'
import type { Logger } from '../../util/log.ts'
import { type PrivateCopy, safeCopyOut } from '../../util/safe-fs/index.ts'
import type { Channel } from '../channel/channel.ts'
import { errorMessage, NgbError } from '../errors.ts'
import type { DeliveryRequest, DeliveryResult } from '../outbound/deliver.ts'
import { isImageMime, sniffMime } from './sniff.ts'
import { canonicalInWorkspace } from './workspace-path.ts'

export type SendFileOutcome = { kind: 'done' } | { kind: 'refused' | 'invalid' | 'failed'; reason: string }

export interface SendFileDeps {
  groupsDir: string
  channelFor(jid: string): Channel | undefined
  /** Text delivery (Outbound.deliver): size refusals and links for channels without uploads. */
  deliver(req: DeliveryRequest): Promise<DeliveryResult>
  log: Logger
}

export type SendFile = (folder: string, action: Omit<SendFileAction, 'type'>) => Promise<SendFileOutcome>

/** Larger than any platform's upload limit; a bigger file is refused before it is copied. */
const MAX_SEND_BYTES = 2 * 1024 ** 3

const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`

/** Dashboard URL of a workspace file (served by the web layer to the signed-in admin). */
export const workspaceFileUrl = (folder: string, rel: string) =>
  `/api/groups/${encodeURIComponent(folder)}/files/${rel.split('/').map(encodeURIComponent).join('/')}`

/**
 * The agent's `send_file`: the path is resolved inside the group's workspace only (no absolute path,
 * no `..`, no symlink out), then uploaded with the chat platform's API, images as images. A file over
 * the platform's limit is explained in the chat instead. Authorisation (which chats) is the caller's.
 */
export function createSendFile(deps: SendFileDeps): SendFile {
  const log = deps.log.child({ component: 'send-file' })
  const sendFile: SendFile = async (folder, action) => {
    const workspace = join(deps.groupsDir, folder)
    const channel = deps.channelFor(action.chatJid)
    if (!channel) return { kind: 'invalid', reason: `no channel for chat ${action.chatJid}` }
    // Read once, through safe-fs, into a host-private copy: the upload (and the sniffing) use that
    // copy, never a path the agent could swap for a link to a host file after the check.
    let copy: PrivateCopy
    let where: { root: string; rel: string }
    try {
      where = canonicalInWorkspace(workspace, action.path)
      copy = safeCopyOut(where.root, where.rel, MAX_SEND_BYTES)
    } catch (error) {
      const reason = errorMessage(error)
      log.warn('send_file refused', { group: folder, path: action.path, reason })
      return { kind: 'refused', reason }
    }
    try {
      return await send(folder, action, channel, copy, where.rel)
    } finally {
      copy.cleanup()
    }
  }

  async function send(
    folder: string,
    action: Omit<SendFileAction, 'type'>,
    channel: Channel,
    copy: PrivateCopy,
    rel: string,
  ): Promise<SendFileOutcome> {
    const { size } = copy
    const mimeType = sniffMime(copy.head)
    const name = basename(rel)
    const path = copy.path
    if (!channel.sendFile) {
      // The dashboard and the shell have no upload: they get a link (images show inline).
      const url = workspaceFileUrl(folder, rel)
      const link = isImageMime(mimeType) ? `![${name}](${url})` : `[${name}](${url})`
      await deps.deliver({
        chatJid: action.chatJid,
        text: action.caption ? `${action.caption}\n\n${link}` : link,
        group: folder,
      })
      return { kind: 'done' }
    }
    const limit = channel.maxUploadBytes
    if (limit !== undefined && size > limit) {
      await deps.deliver({
        chatJid: action.chatJid,
        text: `I could not send "${name}": it is ${mb(size)}, and ${channel.name} takes files up to ${mb(limit)}.`,
        group: folder,
      })
      log.warn('send_file over the platform limit', { group: folder, size, limit, channel: channel.name })
      return { kind: 'refused', reason: `file is ${size} bytes; ${channel.name} takes up to ${limit}` }
    }
    try {
      await channel.sendFile(action.chatJid, { path, name, mimeType, size, caption: action.caption })
    } catch (error) {
      const reason = errorMessage(error)
      log.error('send_file upload failed', { group: folder, channel: channel.name, error: reason })
      return {
        kind: error instanceof NgbError && error.code === 'invalid_input' ? 'invalid' : 'failed',
        reason,
      }
    }
    log.info('file sent', { group: folder, chat: action.chatJid, mimeType, size })
    return { kind: 'done' }
  }
  return sendFile
}
