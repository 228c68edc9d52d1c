/**
 * Attachments in the container protocol: what the host tells the agent about files a user sent, and
 * the agent's request to send a file back. Imports valibot only (bundled into the agent-runner).
 */
import * as v from 'valibot'

export const ATTACHMENT_KINDS = ['image', 'document', 'voice', 'audio', 'video'] as const
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number]

/** One received file as the agent sees it: `path` is inside the container (/workspace/group/…). */
export const AttachmentRefSchema = v.object({
  kind: v.picklist(ATTACHMENT_KINDS),
  /** The sender's file name, for display only; never used as a path. */
  name: v.string(),
  mimeType: v.string(),
  size: v.pipe(v.number(), v.integer(), v.minValue(0)),
  path: v.string(),
  /** Speech-to-text of a voice note or audio file, when transcription is configured and worked. */
  transcript: v.optional(v.string()),
})
export type AttachmentRef = v.InferOutput<typeof AttachmentRefSchema>

/** ipc/<folder>/messages/*.json — the agent asks the host to send a file from its workspace. */
export const SendFileActionSchema = v.object({
  type: v.literal('file'),
  chatJid: v.string(),
  /** Relative to the group workspace (/workspace/group); resolved by the host, never outside it. */
  path: v.pipe(v.string(), v.minLength(1)),
  caption: v.optional(v.string()),
})
export type SendFileAction = v.InferOutput<typeof SendFileActionSchema>

/**
 * The Messages API's limits for inline images: base64 data up to 5 MB each, and at most 20 per
 * request here (the API allows more, but each costs context). Larger or further images are passed
 * as files named in the prompt; the agent can still open them with its Read tool.
 */
export const IMAGE_BLOCK_MAX_BYTES = Math.floor((5 * 1024 * 1024 * 3) / 4)
export const IMAGE_BLOCK_MAX_COUNT = 20
export const IMAGE_BLOCK_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const

/** The attachments that become image content blocks in the user message, in order. */
export function imageBlockAttachments(attachments: readonly AttachmentRef[]): AttachmentRef[] {
  return attachments
    .filter(
      (a) =>
        a.kind === 'image' &&
        (IMAGE_BLOCK_TYPES as readonly string[]).includes(a.mimeType) &&
        a.size <= IMAGE_BLOCK_MAX_BYTES,
    )
    .slice(0, IMAGE_BLOCK_MAX_COUNT)
}
