/** What every chat platform adapter (and the built-in web and cli channels) implements. */

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
  connect(ctx: ChannelContext): Promise<void>
  disconnect(): Promise<void>
  /**
   * Sends one already-chunked piece of text: in the platform dialect when the channel has
   * formatMarkdown, else Markdown that the channel converts itself (Telegram: per-chunk HTML).
   * Throws ChannelError (retryAfterMs) on rate limits.
   */
  send(jid: string, text: string, opts?: SendOptions): Promise<{ messageId?: string }>
  /** Shows "typing…"; optional, refreshed by the caller while the agent works. */
  setTyping?(jid: string, on: boolean): Promise<void>
  health(): ChannelHealth
  /** Converts standard Markdown from the agent to the platform's dialect. */
  formatMarkdown?(markdown: string): string
}
