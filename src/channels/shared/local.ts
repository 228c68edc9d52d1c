import type {
  Channel,
  ChannelContext,
  ChannelHealth,
  InboundAttachment,
  InboundMessage,
} from '../../core/channel/channel.ts'

/** A browser upload as an attachment: the bytes are already here, core still checks and sniffs them. */
export function uploadAttachment(file: File): InboundAttachment {
  return {
    kind: file.type.startsWith('image/') ? 'image' : file.type.startsWith('audio/') ? 'audio' : 'document',
    name: file.name,
    size: file.size,
    mimeType: file.type || undefined,
    open: async () => new Response(file),
  }
}

export interface LocalPostResult {
  jid: string
  messageId: string
}

/** A channel whose "platform" is ngb itself: the dashboard or the shell. */
export type LocalChannel = Channel

/** The dashboard chat: a local channel users write into. */
export interface PostingChannel extends LocalChannel {
  /**
   * Hands a message to the pipeline as if a user wrote it in `<name>:<folder>`. `target` is a group
   * folder or a full JID of this channel. Resolves once the pipeline has stored (and queued) it.
   */
  post(
    target: string,
    text: string,
    sender?: { id?: string; name?: string },
    files?: File[],
  ): Promise<LocalPostResult>
}

/**
 * Replies are not sent anywhere: the outbound path stores them and publishes `message.out` (and the
 * run.* events) on the bus, which the dashboard's WebSocket and the CLI follow.
 */
export function createLocalChannel(name: 'web' | 'cli'): LocalChannel {
  return localChannel(name).channel
}

/** The channel and, for `post`, the pipeline's context while connected (kept off the channel itself). */
function localChannel(name: 'web' | 'cli'): { channel: LocalChannel; context(): ChannelContext | undefined } {
  let ctx: ChannelContext | undefined
  let health: ChannelHealth = { status: 'disconnected' }
  const channel: LocalChannel = {
    name,
    maxMessageLength: 100_000,
    async connect(c) {
      ctx = c
      health = { status: 'connected' }
    },
    async disconnect() {
      ctx = undefined
      health = { status: 'disconnected' }
    },
    async send() {
      return {}
    },
    health: () => health,
  }
  return { channel, context: () => ctx }
}

/** A local channel with `post`: what the dashboard's chat box and the HTTP API write through. */
export function createPostingChannel(name: 'web', defaultSender: string): PostingChannel {
  const { channel, context } = localChannel(name)
  let counter = 0
  return {
    ...channel,
    async post(target, text, sender = {}, files = []) {
      const ctx = context()
      if (!ctx) throw new Error(`the ${name} channel is not connected (is ngb stopping?)`)
      const jid = target.startsWith(`${name}:`) ? target : `${name}:${target}`
      const now = Date.now()
      const messageId = `${name}-${now}-${++counter}`
      const message: InboundMessage = {
        jid,
        senderJid: `${name}:${sender.id ?? defaultSender}`,
        senderName: sender.name ?? sender.id ?? defaultSender,
        messageId,
        text,
        isGroup: false,
        mentionsBot: true,
        ts: now,
        ...(files.length ? { attachments: files.map(uploadAttachment) } : {}),
        chatName: `Dashboard (${jid.slice(name.length + 1)})`,
      }
      await ctx.onInbound(message)
      return { jid, messageId }
    },
  }
}
