import * as v from 'valibot'
import type { ChatsRepo } from '../db/repos/chats.ts'
import type { MessagesRepo } from '../db/repos/messages.ts'
import type { PluginHost } from '../plugins/host.ts'
import { ATTACHMENT_KINDS } from '../protocol/attachments.ts'
import type { Clock } from '../util/clock.ts'
import type { Logger } from '../util/log.ts'
import type { ReceiveAttachments } from './attachments/receive.ts'
import type { InboundAttachment, InboundMessage } from './channel/channel.ts'
import type { ChatCommands } from './chat-commands.ts'
import { errorMessage } from './errors.ts'
import type { EventBus } from './events.ts'
import type { GroupsService } from './groups.ts'
import { chatOf, parseJid } from './jid.ts'
import type { Outbound } from './outbound/deliver.ts'
import type { TriggerChecker } from './trigger.ts'
import type { Group, StoredMessage } from './types.ts'

const MAX_TEXT = 64 * 1024

/** Adapters are trusted code, but their input comes from the internet: check the shape once, here. */
const InboundSchema = v.object({
  jid: v.pipe(v.string(), v.minLength(3)),
  senderJid: v.string(),
  senderName: v.string(),
  messageId: v.pipe(v.string(), v.minLength(1)),
  text: v.string(),
  isGroup: v.boolean(),
  mentionsBot: v.boolean(),
  replyTo: v.optional(v.string()),
  threadId: v.optional(v.string()),
  chatName: v.optional(v.string()),
  ts: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  attachments: v.optional(
    v.array(
      v.object({
        kind: v.picklist(ATTACHMENT_KINDS),
        name: v.optional(v.string()),
        size: v.optional(v.number()),
        mimeType: v.optional(v.string()),
        open: v.custom<InboundAttachment['open']>((x) => typeof x === 'function', 'expected a function'),
      }),
    ),
  ),
})

export type InboundResult =
  | { kind: 'invalid'; reason: string }
  | { kind: 'not_stored'; reason: string }
  | { kind: 'duplicate' }
  | { kind: 'dropped'; reason: 'stopped' | 'plugin' | 'empty' }
  | { kind: 'token'; bound: boolean; group?: string }
  | { kind: 'command'; group?: string }
  | { kind: 'stored'; reason: 'unbound' | 'not_triggered'; group?: string }
  | { kind: 'queued'; group: string; message: StoredMessage }

type Route =
  | { kind: 'token'; token: string }
  | { kind: 'command'; reply: string }
  | { kind: 'chat'; group: Group | undefined; triggers: boolean }

export interface InboundDeps {
  /** Lets "@<assistant> ngb-…" count as a bind token: in groups the bot often sees only mentions. */
  assistantName?: string
  /** `/help`, `/status`: answered by ngb in any chat, bound or not, without the agent. */
  chatCommands?: Pick<ChatCommands, 'reply'>
  messages: Pick<MessagesRepo, 'insert' | 'updateText' | 'remove' | 'markTriggering' | 'setAttachments'>
  /** Downloads the files of a message into its group's workspace; without it files are ignored. */
  attachments?: ReceiveAttachments
  chats: Pick<ChatsRepo, 'upsert'>
  groups: Pick<GroupsService, 'groupOfChat' | 'isBindToken' | 'redeemToken'>
  plugins: Pick<PluginHost, 'chain' | 'has'>
  trigger: TriggerChecker
  queue: { enqueue(folder: string): void }
  outbound: Pick<Outbound, 'deliver'>
  bus: EventBus
  clock: Pick<Clock, 'now'>
  log: Logger
  /** Runs the chat upsert and message insert as one write (one commit per message on the hot path). */
  transaction?: <T>(fn: () => T) => T
}

export interface Inbound {
  handle(message: InboundMessage): Promise<InboundResult>
  /** Stops intake (shutdown): later messages are refused; channels redeliver or users resend. */
  stop(): void
}

const TOKEN_REPLIES = {
  unknown: 'That bind code is not valid. Create a new one with `ngb groups token <folder>`.',
  expired: 'That bind code has expired. Create a new one with `ngb groups token <folder>`.',
  used: 'That bind code was already used. Create a new one with `ngb groups token <folder>`.',
  group_missing: 'The group that bind code was for no longer exists.',
} as const

/** validate → persist (dedupe step; route + trigger step) → onMessage → token | command | group → queue. No polling. */
export function createInbound(deps: InboundDeps): Inbound {
  const { log } = deps
  let stopped = false

  /** The message without a leading "@<assistant>", as Telegram's privacy mode makes group users write it. */
  function unaddressed(text: string): string {
    if (!deps.assistantName) return text
    const name = deps.assistantName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    return text.replace(new RegExp(`^\\s*@${name}[,:]?\\s+`, 'iu'), '')
  }

  async function handleToken(
    message: StoredMessage,
    replyJid: string,
    token: string,
  ): Promise<InboundResult> {
    const result = deps.groups.redeemToken(token, message.chatJid)
    const text = result.ok
      ? `This chat is now connected to "${result.group.name}".`
      : TOKEN_REPLIES[result.reason]
    log.info(result.ok ? 'chat bound by token' : 'bind token refused', {
      chatJid: message.chatJid,
      ...(result.ok ? { group: result.group.folder } : { reason: result.reason }),
    })
    try {
      await deps.outbound.deliver({
        chatJid: replyJid,
        text,
        group: result.ok ? result.group.folder : undefined,
      })
    } catch (error) {
      log.warn('bind confirmation not delivered', { chatJid: replyJid, error: errorMessage(error) })
    }
    return { kind: 'token', bound: result.ok, group: result.ok ? result.group.folder : undefined }
  }

  async function answerCommand(chatJid: string, replyJid: string, text: string): Promise<InboundResult> {
    const group = deps.groups.groupOfChat(chatJid)?.folder
    try {
      await deps.outbound.deliver({ chatJid: replyJid, text, group })
    } catch (error) {
      log.warn('chat command reply not delivered', { chatJid: replyJid, error: errorMessage(error) })
    }
    return { kind: 'command', group }
  }

  /**
   * The message could not be saved (disk full, database locked or broken): it cannot run, so the
   * user is told to send it again rather than wait for an answer that never comes. Only where the
   * message was addressed to the agent, so a busy group chat is not flooded with notices.
   */
  async function notStored(
    m: { chatJid: string; threadId?: string; text: string; isGroup: boolean; mentionsBot: boolean },
    error: unknown,
  ): Promise<InboundResult> {
    const reason = errorMessage(error)
    log.error('inbound message not stored', { chatJid: m.chatJid, error: reason })
    const group = deps.groups.groupOfChat(m.chatJid)
    if (group && deps.trigger.triggers(group, m)) {
      const replyJid = m.threadId ? `${m.chatJid}#${m.threadId}` : m.chatJid
      const text = `Sorry, I could not save your message (${reason}), so I cannot answer it. Please send it again in a few minutes.`
      // The notice goes out before delivery tries to store it, so a full disk still lets it through.
      await deps.outbound.deliver({ chatJid: replyJid, text, group: group.folder }).catch((e: unknown) => {
        log.warn('the not-stored notice failed to send or to be recorded', {
          chatJid: m.chatJid,
          error: errorMessage(e),
        })
      })
    }
    return { kind: 'not_stored', reason }
  }

  return {
    async handle(raw) {
      if (stopped) return { kind: 'dropped', reason: 'stopped' }
      const parsed = v.safeParse(InboundSchema, raw)
      if (!parsed.success) {
        const reason = v.summarize(parsed.issues)
        log.warn('inbound message rejected', { reason })
        return { kind: 'invalid', reason }
      }
      const m = parsed.output
      let platform: string
      try {
        platform = parseJid(m.jid).platform
      } catch (error) {
        return { kind: 'invalid', reason: errorMessage(error) }
      }
      const text = m.text.length > MAX_TEXT ? m.text.slice(0, MAX_TEXT) : m.text
      const files = deps.attachments ? (m.attachments ?? []) : []
      if (text.trim() === '' && files.length === 0) return { kind: 'dropped', reason: 'empty' }
      const now = deps.clock.now()
      const chatJid = chatOf(m.jid)
      const threadId = m.threadId ?? (chatJid === m.jid ? undefined : m.jid.slice(chatJid.length + 1))
      /**
       * Where the message goes: a bind token, a chat command, or the chat's group. The trigger step
       * is here: the one check per message, stored on the row; the turn reads the stored decision.
       */
      const route = (msg: Pick<StoredMessage, 'text' | 'isGroup' | 'mentionsBot'>): Route => {
        const token = unaddressed(msg.text)
        if (deps.groups.isBindToken(token)) return { kind: 'token', token }
        const reply = deps.chatCommands?.reply({ chatJid, text: msg.text, isGroup: msg.isGroup })
        if (reply !== undefined) return { kind: 'command', reply }
        const group = deps.groups.groupOfChat(chatJid)
        return { kind: 'chat', group, triggers: group !== undefined && deps.trigger.triggers(group, msg) }
      }
      // An onMessage plugin may rewrite the text, so the route waits for it; otherwise it is decided
      // inside the write, and the trigger decision goes into the same insert (one commit).
      const hooked = deps.plugins.has('onMessage')
      const persist = () => {
        deps.chats.upsert(
          { jid: chatJid, platform, name: m.chatName, isGroup: m.isGroup, lastMessageAt: m.ts ?? now },
          now,
        )
        const early = hooked ? undefined : route({ text, isGroup: m.isGroup, mentionsBot: m.mentionsBot })
        // The dedupe step: the insert is keyed by (chat, message id); a repeat stores nothing.
        const stored = deps.messages.insert({
          chatJid,
          id: m.messageId,
          senderJid: m.senderJid,
          senderName: m.senderName.trim() || m.senderJid,
          text,
          ts: m.ts ?? now,
          fromBot: false,
          isGroup: m.isGroup,
          mentionsBot: m.mentionsBot,
          replyTo: m.replyTo,
          threadId,
          triggers: early?.kind === 'chat' && early.triggers,
        })
        return stored && { stored, early }
      }
      let written: ReturnType<typeof persist>
      try {
        written = deps.transaction ? deps.transaction(persist) : persist()
      } catch (error) {
        return notStored({ chatJid, threadId, text, isGroup: m.isGroup, mentionsBot: m.mentionsBot }, error)
      }
      if (!written) return { kind: 'duplicate' }
      let message = written.stored
      let routed = written.early

      if (!routed) {
        const out = await deps.plugins.chain('onMessage', message)
        if (out === null) {
          deps.messages.remove(chatJid, message.id)
          return { kind: 'dropped', reason: 'plugin' }
        }
        if (out.text !== message.text) deps.messages.updateText(chatJid, message.id, out.text)
        message = out
        routed = route(message)
        if (routed.kind === 'chat' && routed.triggers) {
          deps.messages.markTriggering(chatJid, message.id)
          message = { ...message, triggers: true }
        }
      }

      const replyJid = threadId ? `${chatJid}#${threadId}` : chatJid
      if (routed.kind === 'token') return handleToken(message, replyJid, routed.token)
      if (routed.kind === 'command') return answerCommand(chatJid, replyJid, routed.reply)
      const { group } = routed
      if (files.length && deps.attachments) {
        // Files go to a group's workspace: in a chat bound to no group they are not downloaded.
        const saved = group ? await deps.attachments.receive(group.folder, replyJid, files) : []
        if (saved.length) {
          deps.messages.setAttachments(chatJid, message.id, saved)
          message = { ...message, attachments: saved }
        } else if (message.text.trim() === '') {
          deps.messages.remove(chatJid, message.id)
          return { kind: 'dropped', reason: 'empty' }
        }
      }
      deps.bus.publish({ type: 'message.in', group: group?.folder, message })
      if (!group) return { kind: 'stored', reason: 'unbound' }
      if (!routed.triggers) return { kind: 'stored', reason: 'not_triggered', group: group.folder }
      deps.queue.enqueue(group.folder)
      return { kind: 'queued', group: group.folder, message }
    },
    stop() {
      stopped = true
    },
  }
}
