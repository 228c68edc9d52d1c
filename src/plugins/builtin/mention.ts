import * as v from 'valibot'
import type { StoredMessage } from '../../core/types.ts'
import type { PluginContext } from '../plugin.ts'
import type { BuiltinPlugin } from './builtin.ts'

const Schema = v.object({
  aliases: v.array(
    v.pipe(v.string('aliases: expected text'), v.trim(), v.minLength(1, 'aliases: must not be empty')),
    'aliases: expected a list of names',
  ),
})

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Name characters: a mention ends where they end, so `@AndyBot` is not `@Andy`. */
const AFTER_NAME = '(?![\\p{L}\\p{N}_-])'

/**
 * Rewrites the ways people address the bot to the one spelling the trigger check and the agent
 * know, `@<assistant>`: any casing of `@<assistant>`, `@alias` for each configured alias (a bot
 * username, a nickname), and raw platform mention tokens listed as aliases (Discord `<@123>` /
 * `<@!123>`, Slack `<@U123>` / `<@U123|name>`). A rewritten message counts as mentioning the bot.
 */
function createMention() {
  let builtFor = ''
  let re: RegExp | undefined
  const patternOf = (ctx: PluginContext): RegExp | undefined => {
    const parsed = v.safeParse(Schema, { aliases: ctx.config.aliases ?? [] })
    const aliases = parsed.success ? parsed.output.aliases : []
    const key = `${ctx.assistantName}\n${aliases.join('\n')}`
    if (key === builtFor) return re
    builtFor = key
    const names = [ctx.assistantName, ...aliases.filter((a) => !a.startsWith('<'))].map(
      (n) => `@${escapeRegExp(n.replace(/^@/, ''))}${AFTER_NAME}`,
    )
    const tokens = aliases
      .filter((a) => a.startsWith('<'))
      .map((t) => {
        // A platform id: "<@U123>" also matches "<@!U123>" and "<@U123|someone>".
        const id = /^<@!?([^>|]+)/.exec(t)?.[1]
        return id ? `<@!?${escapeRegExp(id)}(?:\\|[^>]*)?>` : escapeRegExp(t)
      })
    re = new RegExp([...names, ...tokens].join('|'), 'giu')
    return re
  }
  return {
    name: 'mention',
    onMessage(m: StoredMessage, ctx: PluginContext) {
      const pattern = patternOf(ctx)
      if (!pattern) return undefined
      const target = `@${ctx.assistantName}`
      let hit = false
      const text = m.text.replace(pattern, () => {
        hit = true
        return target
      })
      if (!hit) return undefined
      return { ...m, text, mentionsBot: true }
    },
  }
}

export const mention: BuiltinPlugin = {
  name: 'mention',
  description: 'Normalises platform mentions and aliases of the bot to @<assistant>',
  defaults: { aliases: [] },
  schema: Schema,
  create: createMention,
}
