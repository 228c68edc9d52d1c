import * as v from 'valibot'
import { ChannelError, errorMessage, InvalidInputError } from '../../core/errors.ts'
import { parseJid } from '../../core/jid.ts'
import type { Logger } from '../../util/log.ts'
import type { QqToken } from './token.ts'

/**
 * QQ allows only passive replies: each message must name a user message (`msg_id`) that is recent
 * (C2C 60 min, groups 5 min), with at most 5 replies per msg_id, each with its own `msg_seq`.
 * This keeps, per chat, the latest user message and what was used of it. A reply that finds the
 * window closed (or used up) is held and sent as a reply to the user's next message; while the
 * agent still works as the window is about to close, one reply slot tells the user so.
 */

export interface ReplyWindows {
  c2cMs: number
  groupMs: number
  maxReplies: number
  /** How long before the window closes the "still working" notice goes out. */
  noticeMarginMs: number
}

export const QQ_WINDOWS: ReplyWindows = {
  c2cMs: 60 * 60_000,
  groupMs: 5 * 60_000,
  maxReplies: 5,
  noticeMarginMs: 45_000,
}

interface ReplyContext {
  msgId: string
  closesAt: number
  used: number
  seq: number
  noticed: boolean
}

const SendError = v.object({ code: v.optional(v.number()), message: v.optional(v.string()) })
const SendOk = v.object({ id: v.optional(v.string()) })

/** Body codes that mean "too often", sometimes with HTTP 200. */
const THROTTLED = new Set([22009, 100001, 304003])

export function parseQqTarget(jid: string): { kind: 'user' | 'group'; id: string } {
  const j = parseJid(jid)
  if (j.platform !== 'qq' || (j.kind !== 'user' && j.kind !== 'group'))
    throw new InvalidInputError(`${jid}: QQ chats are qq:user:<openid> or qq:group:<group_openid>`, 'jid')
  return { kind: j.kind, id: j.id }
}

export interface QqSenderDeps {
  apiBase: string
  token: QqToken
  log: Logger
  windows: ReplyWindows
  assistantName: string
  now?: () => number
}

export function createQqSender(deps: QqSenderDeps) {
  const now = deps.now ?? Date.now
  const contexts = new Map<string, ReplyContext>()
  const held = new Map<string, string[]>()

  async function post(
    jid: string,
    ctx: ReplyContext,
    content: string,
    retried = false,
  ): Promise<string | undefined> {
    const target = parseQqTarget(jid)
    const path =
      target.kind === 'user' ? `/v2/users/${target.id}/messages` : `/v2/groups/${target.id}/messages`
    const token = await deps.token.get()
    // A fresh msg_seq per attempt: a (msg_id, msg_seq) pair the platform saw is refused.
    const msgSeq = ++ctx.seq
    let res: Response
    try {
      res = await fetch(`${deps.apiBase}${path}`, {
        method: 'POST',
        headers: { authorization: `QQBot ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content, msg_type: 0, msg_id: ctx.msgId, msg_seq: msgSeq }),
        signal: AbortSignal.timeout(10_000),
      })
    } catch (err) {
      throw new ChannelError(`QQ send failed: ${errorMessage(err)}`, { retryable: true, cause: err })
    }
    const json: unknown = await res.json().catch(() => undefined)
    const err = v.safeParse(SendError, json)
    const code = err.success ? err.output.code : undefined
    if (res.status === 401 && !retried) {
      deps.token.invalidate()
      return post(jid, ctx, content, true)
    }
    if (res.ok && (code === undefined || code === 0)) {
      ctx.used++
      const ok = v.safeParse(SendOk, json)
      return ok.success ? ok.output.id : undefined
    }
    const detail = err.success && err.output.message ? ` (${err.output.message})` : ''
    if (res.status === 429 || (code !== undefined && THROTTLED.has(code))) {
      throw new ChannelError(`QQ rate limit on send: code ${code ?? res.status}${detail}`, {
        retryable: true,
        retryAfterMs: 1000,
      })
    }
    if (res.status >= 500)
      throw new ChannelError(`QQ send failed: HTTP ${res.status}${detail}`, { retryable: true })
    throw new ChannelError(
      `QQ refused the message: ${code ? `code ${code}` : `HTTP ${res.status}`}${detail}`,
      {
        retryable: false,
      },
    )
  }

  const open = (ctx: ReplyContext | undefined): ctx is ReplyContext =>
    ctx !== undefined && now() < ctx.closesAt && ctx.used < deps.windows.maxReplies

  return {
    /** A new user message opens a reply window; replies held for this chat go out first. */
    async remember(jid: string, msgId: string, isGroup: boolean) {
      const ctx: ReplyContext = {
        msgId,
        closesAt: now() + (isGroup ? deps.windows.groupMs : deps.windows.c2cMs),
        used: 0,
        seq: 0,
        noticed: false,
      }
      contexts.set(jid, ctx)
      const pending = held.get(jid)
      if (!pending?.length) return
      held.delete(jid)
      for (const text of pending) {
        if (!open(ctx)) {
          held.set(jid, [...(held.get(jid) ?? []), text])
          continue
        }
        await post(jid, ctx, text).catch((err: unknown) => {
          deps.log.error('held QQ reply could not be sent', { jid, error: errorMessage(err) })
        })
      }
    },
    async send(jid: string, text: string): Promise<{ messageId?: string }> {
      const ctx = contexts.get(jid)
      if (!open(ctx)) {
        held.set(jid, [...(held.get(jid) ?? []), text])
        deps.log.warn('QQ reply window closed; the reply waits for the next message in this chat', { jid })
        return {}
      }
      return { messageId: await post(jid, ctx, text) }
    },
    /**
     * Called while the agent works (the typing refresh). Near the end of the window, and before
     * any reply went out, one slot tells the user the answer will come with their next message.
     */
    async stillWorking(jid: string) {
      const ctx = contexts.get(jid)
      if (!open(ctx) || ctx.noticed || ctx.used > 0) return
      if (ctx.closesAt - now() > deps.windows.noticeMarginMs) return
      ctx.noticed = true
      const minutes = Math.round(
        (parseQqTarget(jid).kind === 'group' ? deps.windows.groupMs : deps.windows.c2cMs) / 60_000,
      )
      await post(
        jid,
        ctx,
        `${deps.assistantName} is still working on this. QQ lets a bot answer only within ${minutes} min of a message, so the answer will come as a reply to your next message here.`,
      )
    },
    /** Replies waiting for the next user message (tests, status). */
    heldFor: (jid: string) => held.get(jid)?.length ?? 0,
  }
}
