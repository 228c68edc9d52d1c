/** What every chat platform adapter (and the built-in web and cli channels) implements. */
import type { AttachmentKind } from '../../protocol/attachments.ts'

/**
 * A file that came with a message. The adapter says what it knows (declared size and type, the
 * sender's file name) and how to fetch the bytes with its own client; core checks the size, streams
 * the body into the group's workspace and sniffs the type (docs/attachments.md).
 */
export interface InboundAttachment {
  kind: AttachmentKind
  /** The sender's file name, for display only. */
  name?: string
  /** The size the platform declared; a file over the limit is refused before downloading. */
  size?: number
  mimeType?: string
  /** Starts the download with the platform's client and base URL (so tests hit the fakes). */
  open(): Promise<Response>
}

/** A file the agent asked to send, resolved inside its workspace and checked. */
export interface OutboundFile {
  /** Absolute host path (already resolved inside the group's workspace). */
  path: string
  /** File name to show in the chat. */
  name: string
  mimeType: string
  size: number
  caption?: string
}

export interface InboundMessage {
  /** Chat JID, with `#<thread>` where the platform threads replies. */
  jid: string
  senderJid: string
  senderName: string
  /** Platform message id, the same on a redelivery: the pipeline dedupes by (chat, messageId). */
  messageId: string
  text: string
  isGroup: boolean
  /** The bot was @-mentioned, replied to, or addressed as @<assistant>. */
  mentionsBot: boolean
  replyTo?: string
  threadId?: string
  chatName?: string
  ts?: number
  attachments?: InboundAttachment[]
}

export interface SendOptions {
  /** Message id to reply to, where the platform supports it. */
  replyTo?: string
}

export type ChannelHealth =
  | { status: 'connected' }
  | { status: 'connecting' | 'disconnected'; detail?: string }
  | { status: 'error'; detail: string }

export interface ChannelContext {
  onInbound(message: InboundMessage): void | Promise<void>
  /** Reports connection changes; the registry publishes them as channel.status events. */
  onStatus(health: ChannelHealth): void
}

export interface Channel {
  /** Platform name; the JID prefix (telegram, discord, slack, web, cli, …). */
  readonly name: string
  /** Max characters per message in the platform's own unit; the outbound pipeline chunks under it. */
  readonly maxMessageLength: number
  /**
   * Length of a message in the platform's unit, where that is not UTF-16 code units (WeCom counts
   * UTF-8 bytes); the pipeline re-splits any chunk it measures over maxMessageLength.
   */
  measureLength?(text: string): number
  connect(ctx: ChannelContext): Promise<void>
  disconnect(): Promise<void>
  /**
   * Sends one already-chunked piece of text: in the platform dialect when the channel has
   * formatMarkdown, else Markdown that the channel converts itself (Telegram: per-chunk HTML).
   * Throws ChannelError (retryAfterMs) on rate limits.
   */
  send(jid: string, text: string, opts?: SendOptions): Promise<{ messageId?: string }>
  /** Upload limit per file in bytes; a larger file is refused with a message to the chat. */
  readonly maxUploadBytes?: number
  /** Uploads one file (images as images); absent where the platform cannot take files yet. */
  sendFile?(jid: string, file: OutboundFile, opts?: SendOptions): Promise<{ messageId?: string }>
  /** Shows "typing…"; optional, refreshed by the caller while the agent works. */
  setTyping?(jid: string, on: boolean): Promise<void>
  health(): ChannelHealth
  /** Converts standard Markdown from the agent to the platform's dialect. */
  formatMarkdown?(markdown: string): string
}
