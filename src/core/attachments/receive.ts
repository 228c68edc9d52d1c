import { join } from 'node:path'
import type { Logger } from '../../util/log.ts'
import type { InboundAttachment } from '../channel/channel.ts'
import { errorMessage } from '../errors.ts'
import type { Outbound } from '../outbound/deliver.ts'
import type { MessageAttachment } from '../types.ts'
import type { AttachmentStore } from './store.ts'
import type { Transcriber } from './transcribe.ts'

export interface ReceiveAttachmentsDeps {
  store: AttachmentStore
  outbound: Pick<Outbound, 'deliver'>
  /** Speech to text for voice notes and audio; undefined when not configured (the default). */
  transcriber?: Transcriber
  groupsDir: string
  log: Logger
}

export interface ReceiveAttachments {
  /**
   * Saves what it can and returns the saved ones. A refused file is explained in the chat when
   * `notify` (the message is for the agent); in a busy group, files not meant for it are only logged.
   */
  receive(
    folder: string,
    replyJid: string,
    files: InboundAttachment[],
    notify?: boolean,
  ): Promise<MessageAttachment[]>
}

export function createReceiveAttachments(deps: ReceiveAttachmentsDeps): ReceiveAttachments {
  const log = deps.log.child({ component: 'attachments' })
  async function tell(folder: string, chatJid: string, text: string) {
    try {
      await deps.outbound.deliver({ chatJid, text, group: folder })
    } catch (error) {
      log.warn('refusal not delivered', { chatJid, error: errorMessage(error) })
    }
  }
  return {
    async receive(folder, replyJid, files, notify = true) {
      const saved: MessageAttachment[] = []
      for (const file of files) {
        const result = await deps.store.save(folder, file)
        if (!result.ok) {
          log.warn('attachment refused', { group: folder, reason: result.reason, detail: result.message })
          if (notify) await tell(folder, replyJid, result.message)
          continue
        }
        let attachment = result.attachment
        log.info('attachment saved', {
          group: folder,
          kind: attachment.kind,
          mimeType: attachment.mimeType,
          size: attachment.size,
        })
        const audio = attachment.kind === 'voice' || attachment.kind === 'audio'
        if (audio && deps.transcriber) {
          try {
            const transcript = await deps.transcriber.transcribe(
              join(deps.groupsDir, folder, attachment.path),
              attachment.mimeType,
            )
            if (transcript) attachment = { ...attachment, transcript }
          } catch (error) {
            // The file is still delivered; the agent may read it itself.
            log.warn('transcription failed; the audio goes to the agent as a file', {
              group: folder,
              error: errorMessage(error),
            })
          }
        }
        saved.push(attachment)
      }
      return saved
    },
  }
}
