import * as v from 'valibot'
import type { ChatsRepo } from '../db/repos/chats.ts'
import type { MessagesRepo } from '../db/repos/messages.ts'
import type { PluginHost } from '../plugins/host.ts'
import type { Clock } from '../util/clock.ts'
import type { Logger } from '../util/log.ts'
import type { InboundMessage } from './channel/channel.ts'
import type { ChatCommands } from './chat-commands.ts'
import { errorMessage } from './errors.ts'
import type { EventBus } from './events.ts'
import type { GroupsService } from './groups.ts'
import { chatOf, parseJid } from './jid.ts'
import type { Outbound } from './outbound/deliver.ts'
import type { TriggerChecker } from './trigger.ts'
import type { StoredMessage } from './types.ts'

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
})

export type InboundResult =
  | { kind: 'invalid'; reason: string }
  | { kind: 'duplicate' }
  | { kind: 'dropped'; reason: 'stopped' | 'plugin' | 'empty' }
  | { kind: 'token'; bound: boolean; group?: string }
  | { kind: 'command'; group?: string }
  | { kind: 'stored'; reason: 'unbound' | 'not_triggered'; group?: string }
  | { kind: 'queued'; group: string; message: StoredMessage }

export interface InboundDeps {
  /** Lets "@<assistant> ngb-…" count as a bind token: in groups the bot often sees only mentions. */
  assistantName?: string
  /** `/help`, `/status`: answered by ngb in any chat, bound or not, without the agent. */
  chatCommands?: Pick<ChatCommands, 'reply'>
  messages: Pick<MessagesRepo, 'insert' | 'updateText' | 'remove'>
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

/** normalise → dedupe → persist → onMessage → bind token → binding + trigger → queue. No polling. */
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
      if (text.trim() === '') return { kind: 'dropped', reason: 'empty' }
      const now = deps.clock.now()
      const chatJid = chatOf(m.jid)
      const threadId = m.threadId ?? (chatJid === m.jid ? undefined : m.jid.slice(chatJid.length + 1))
      const persist = () => {
        deps.chats.upsert(
          { jid: chatJid, platform, name: m.chatName, isGroup: m.isGroup, lastMessageAt: m.ts ?? now },
          now,
        )
        return deps.messages.insert({
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
        })
      }
      let message = deps.transaction ? deps.transaction(persist) : persist()
      if (!message) return { kind: 'duplicate' }

      if (deps.plugins.has('onMessage')) {
        const out = await deps.plugins.chain('onMessage', message)
        if (out === null) {
          deps.messages.remove(chatJid, message.id)
          return { kind: 'dropped', reason: 'plugin' }
        }
        if (out.text !== message.text) deps.messages.updateText(chatJid, message.id, out.text)
        message = out
      }

      const replyJid = threadId ? `${chatJid}#${threadId}` : chatJid
      const token = unaddressed(message.text)
      if (deps.groups.isBindToken(token)) return handleToken(message, replyJid, token)
      const commandReply = deps.chatCommands?.reply({ chatJid, text: message.text, isGroup: message.isGroup })
      if (commandReply !== undefined) return answerCommand(chatJid, replyJid, commandReply)

      const group = deps.groups.groupOfChat(chatJid)
      deps.bus.publish({ type: 'message.in', group: group?.folder, message })
      if (!group) return { kind: 'stored', reason: 'unbound' }
      if (!deps.trigger.triggers(group, message)) {
        return { kind: 'stored', reason: 'not_triggered', group: group.folder }
      }
      deps.queue.enqueue(group.folder)
      return { kind: 'queued', group: group.folder, message }
    },
    stop() {
      stopped = true
    },
  }
}
