import * as v from 'valibot'
import type { StoredMessage } from '../../core/types.ts'
import type { PluginContext } from '../plugin.ts'
import type { BuiltinDeps, BuiltinPlugin } from './builtin.ts'

const MINUTE = 60_000
const HOUR = 3_600_000
/** Chats tracked at once; the least recently active is forgotten first. */
const MAX_CHATS = 10_000

const Schema = v.object({
  perMinute: v.pipe(
    v.number('perMinute: expected a number'),
    v.integer(),
    v.minValue(0, 'perMinute: must be 0 (off) or more'),
  ),
  perHour: v.pipe(
    v.number('perHour: expected a number'),
    v.integer(),
    v.minValue(0, 'perHour: must be 0 (off) or more'),
  ),
  message: v.pipe(v.string('message: expected text'), v.minLength(1, 'message: must not be empty')),
})
type Config = v.InferOutput<typeof Schema>

export const rateLimiterDefaults: Config = {
  perMinute: 10,
  perHour: 100,
  message: 'You are sending messages too fast; I will answer again in a moment.',
}

interface Window {
  /** Times of the counted messages of the last hour, oldest first. */
  times: number[]
  /** The user was told they are limited; reset once a message passes again. */
  told: boolean
}

function configOf(ctx: PluginContext): Config {
  const r = v.safeParse(Schema, { ...rateLimiterDefaults, ...ctx.config })
  return r.success ? r.output : rateLimiterDefaults
}

/**
 * In a group only messages addressed to the assistant count (others never reach the agent); in a
 * direct chat every message does. The limit is per chat, so one busy chat does not block the rest.
 */
function counts(m: StoredMessage, assistantName: string): boolean {
  if (!m.isGroup || m.mentionsBot) return true
  return m.text.trimStart().toLowerCase().startsWith(`@${assistantName.toLowerCase()}`)
}

function createRateLimiter(deps: BuiltinDeps) {
  const windows = new Map<string, Window>()
  return {
    name: 'rate-limiter',
    async onMessage(m: StoredMessage, ctx: PluginContext) {
      if (!counts(m, ctx.assistantName)) return undefined
      const cfg = configOf(ctx)
      const now = deps.now()
      let w = windows.get(m.chatJid)
      if (w)
        windows.delete(m.chatJid) // re-inserted below: the Map's order is recency
      else w = { times: [], told: false }
      windows.set(m.chatJid, w)
      if (windows.size > MAX_CHATS) {
        const oldest = windows.keys().next().value
        if (oldest !== undefined) windows.delete(oldest)
      }
      // Only the window that matters is kept: an hour when perHour is on, else a minute.
      const keepFrom = now - (cfg.perHour > 0 ? HOUR : MINUTE)
      let drop = 0
      while (drop < w.times.length && (w.times[drop] ?? 0) <= keepFrom) drop++
      if (drop > 0) w.times.splice(0, drop)
      let inMinute = 0
      for (let i = w.times.length - 1; i >= 0 && (w.times[i] ?? 0) > now - MINUTE; i--) inMinute++
      const limited =
        (cfg.perMinute > 0 && inMinute >= cfg.perMinute) || (cfg.perHour > 0 && w.times.length >= cfg.perHour)
      if (!limited) {
        w.times.push(now)
        w.told = false
        return undefined
      }
      if (!w.told) {
        w.told = true
        const jid = m.threadId ? `${m.chatJid}#${m.threadId}` : m.chatJid
        await ctx.send(jid, cfg.message)
      }
      ctx.log.debug('message dropped: rate limited', { chatJid: m.chatJid })
      return null
    },
  }
}

export const rateLimiter: BuiltinPlugin = {
  name: 'rate-limiter',
  description: 'Limits messages per chat per minute and per hour (0 = no limit); tells the user once',
  defaults: rateLimiterDefaults,
  schema: Schema,
  create: createRateLimiter,
}
