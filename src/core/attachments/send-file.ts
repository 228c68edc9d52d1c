import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import type { SendFileAction } from '../../protocol/attachments.ts'
import type { Logger } from '../../util/log.ts'
import type { Channel } from '../channel/channel.ts'
import { errorMessage, NgbError } from '../errors.ts'
import type { DeliveryRequest, DeliveryResult } from '../outbound/deliver.ts'
import { resolveInWorkspace } from './safe-write.ts'
import { isImageMime, sniffMime } from './sniff.ts'

export type SendFileOutcome = { kind: 'done' } | { kind: 'refused' | 'invalid' | 'failed'; reason: string }

export interface SendFileDeps {
  groupsDir: string
  channelFor(jid: string): Channel | undefined
  /** Text delivery (Outbound.deliver): size refusals and links for channels without uploads. */
  deliver(req: DeliveryRequest): Promise<DeliveryResult>
  log: Logger
}

export type SendFile = (folder: string, action: Omit<SendFileAction, 'type'>) => Promise<SendFileOutcome>

const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`

export function sniffFile(path: string): string {
  const fd = openSync(path, 'r')
  try {
    const head = new Uint8Array(512)
    const n = readSync(fd, head, 0, 512, 0)
    return sniffMime(head.subarray(0, n))
  } finally {
    closeSync(fd)
  }
}

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
  return async (folder, action) => {
    const workspace = join(deps.groupsDir, folder)
    let path: string
    try {
      path = resolveInWorkspace(workspace, action.path)
    } catch (error) {
      const reason = errorMessage(error)
      log.warn('send_file refused', { group: folder, path: action.path, reason })
      return { kind: 'refused', reason }
    }
    const channel = deps.channelFor(action.chatJid)
    if (!channel) return { kind: 'invalid', reason: `no channel for chat ${action.chatJid}` }
    const size = statSync(path).size
    const mimeType = sniffFile(path)
    const name = basename(path)
    if (!channel.sendFile) {
      // The dashboard and the shell have no upload: they get a link (images show inline).
      const url = workspaceFileUrl(folder, relative(workspace, path))
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
}
