import { join } from 'node:path'
import type { AttachmentKind, AttachmentRef } from '../../protocol/attachments.ts'
import type { Clock } from '../../util/clock.ts'
import { safeList, safeWriteStream } from '../../util/safe-fs/index.ts'
import type { InboundAttachment } from '../channel/channel.ts'
import { errorMessage } from '../errors.ts'
import { CONTAINER_WORKSPACE } from '../prompt.ts'
import type { MessageAttachment } from '../types.ts'
import { extensionOf, sniffMime } from './sniff.ts'

export type StoredAttachment = MessageAttachment

export type SaveResult =
  | { ok: true; attachment: StoredAttachment }
  | { ok: false; reason: 'too_large' | 'quota' | 'failed'; message: string }

export interface AttachmentStoreDeps {
  /** Root of the group workspaces (data/groups). */
  groupsDir: string
  /** Per-file limit in bytes. */
  maxBytes: number
  /** Disk the inbox folder of one group may use in bytes. */
  quotaBytes: number
  clock: Pick<Clock, 'now'>
}

export interface AttachmentStore {
  save(folder: string, attachment: InboundAttachment): Promise<SaveResult>
}

export const INBOX_DIR = 'inbox'

const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`

/** Bytes under `workspace/rel`, read through safe-fs: a link the agent planted is never followed. */
function inboxUsage(workspace: string, rel: string, depth = 0): number {
  let total = 0
  let entries: ReturnType<typeof safeList>
  try {
    entries = safeList(workspace, rel)
  } catch {
    return 0
  }
  for (const e of entries) {
    if (e.type === 'dir' && depth < 4) total += inboxUsage(workspace, `${rel}/${e.name}`, depth + 1)
    else if (e.type === 'file') total += e.size
  }
  return total
}

export const toAttachmentRef = (a: StoredAttachment): AttachmentRef => ({
  ...a,
  path: `${CONTAINER_WORKSPACE}/${a.path}`,
})

/**
 * Downloads a received file into `<workspace>/inbox/<yyyy-mm-dd>/<random>.<ext>`: refused before
 * downloading when the declared size is over the limit, cut off (and removed) when the streamed
 * bytes pass it, and refused when the group's inbox would pass its quota.
 */
export function createAttachmentStore(deps: AttachmentStoreDeps): AttachmentStore {
  const tooLarge = (name: string, size: number | undefined): SaveResult => ({
    ok: false,
    reason: 'too_large',
    message: `The file "${name}"${size === undefined ? '' : ` (${mb(size)})`} is over the ${mb(deps.maxBytes)} limit and was not saved.`,
  })

  return {
    async save(folder, att) {
      const name = (att.name ?? '').slice(0, 200) || att.kind
      if (att.size !== undefined && att.size > deps.maxBytes) return tooLarge(name, att.size)
      const workspace = join(deps.groupsDir, folder)
      const used = inboxUsage(workspace, INBOX_DIR)
      const room = deps.quotaBytes - used
      if ((att.size ?? 0) > room || room <= 0)
        return {
          ok: false,
          reason: 'quota',
          message: `The file "${name}" was not saved: this group's inbox is full (${mb(used)} of ${mb(deps.quotaBytes)}). Delete old files from inbox/ in the workspace.`,
        }
      let res: Response
      try {
        res = await att.open()
        if (!res.ok || !res.body) throw new Error(`download answered HTTP ${res.status}`)
      } catch (error) {
        return {
          ok: false,
          reason: 'failed',
          message: `The file "${name}" could not be downloaded: ${errorMessage(error)}`,
        }
      }
      const declared = Number(res.headers.get('content-length') ?? Number.NaN)
      if (Number.isFinite(declared) && declared > deps.maxBytes) {
        await res.body.cancel().catch(() => undefined)
        return tooLarge(name, declared)
      }
      const day = new Date(deps.clock.now()).toISOString().slice(0, 10)
      const id = crypto.randomUUID().replaceAll('-', '').slice(0, 16)
      const file = safeWriteStream(workspace, `${INBOX_DIR}/${day}`)
      const limit = Math.min(deps.maxBytes, room)
      let size = 0
      let head: Uint8Array = new Uint8Array(0)
      try {
        for await (const chunk of res.body) {
          size += chunk.length
          if (size > limit) {
            file.discard()
            await res.body.cancel().catch(() => undefined)
            return size > deps.maxBytes
              ? tooLarge(name, undefined)
              : {
                  ok: false,
                  reason: 'quota',
                  message: `The file "${name}" was not saved: this group's inbox is full.`,
                }
          }
          if (head.length < 512) head = concat(head, chunk.subarray(0, 512 - head.length))
          file.write(chunk)
        }
      } catch (error) {
        file.discard()
        return {
          ok: false,
          reason: 'failed',
          message: `The file "${name}" could not be downloaded: ${errorMessage(error)}`,
        }
      }
      const mimeType = sniffMime(head)
      const final = `${id}.${extensionOf(mimeType)}`
      file.commit(final)
      // The sniffed type decides: a "photo" that is not an image is passed on as a document.
      const kind: AttachmentKind =
        att.kind === 'image' && !mimeType.startsWith('image/') ? 'document' : att.kind
      return {
        ok: true,
        attachment: { kind, name, mimeType, size, path: `${INBOX_DIR}/${day}/${final}` },
      }
    },
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
