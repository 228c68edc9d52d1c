import * as v from 'valibot'
import { compileSafePattern, MAX_PATTERN_LENGTH, type SafePattern } from '../../core/safe-pattern.ts'
import type { StoredMessage } from '../../core/types.ts'
import type { PluginContext } from '../plugin.ts'
import type { BuiltinPlugin } from './builtin.ts'

/** Rule patterns are compiled like trigger patterns (core/safe-pattern.ts); errors name the rule field. */
const RULE_PATTERN = { label: 'rules: the pattern', field: 'rules' }

/** Why a rule pattern is refused, or undefined when it compiles. */
function patternProblem(source: string): string | undefined {
  try {
    compileSafePattern(source, RULE_PATTERN)
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

const Rule = v.object({
  pattern: v.pipe(
    v.string('rules: pattern must be text'),
    v.minLength(1, 'rules: pattern must not be empty'),
    v.maxLength(MAX_PATTERN_LENGTH, `rules: pattern must be at most ${MAX_PATTERN_LENGTH} characters`),
    v.check(
      (p) => patternProblem(p) === undefined,
      (issue) => patternProblem(String(issue.input)) ?? 'rules: bad pattern',
    ),
  ),
  reply: v.pipe(v.string('rules: reply must be text'), v.minLength(1, 'rules: reply must not be empty')),
})
const Schema = v.object({ rules: v.array(Rule, 'rules: expected a list of { pattern, reply }') })

interface Compiled {
  re: SafePattern
  reply: string
}

/**
 * Answers a message matching a rule's pattern with the rule's reply and drops the message, so the
 * agent does not run for it. First matching rule wins. Patterns are checked like trigger patterns
 * (case-insensitive, on RE2: matching time is linear in the text, whatever the pattern).
 */
function createAutoReply() {
  let compiledFor: unknown
  let compiled: Compiled[] = []
  const rulesOf = (ctx: PluginContext): Compiled[] => {
    if (ctx.config.rules === compiledFor) return compiled
    compiledFor = ctx.config.rules
    const parsed = v.safeParse(Schema, { rules: ctx.config.rules ?? [] })
    compiled = []
    if (!parsed.success) {
      ctx.log.warn('auto-reply rules ignored', { reason: parsed.issues[0].message })
      return compiled
    }
    for (const r of parsed.output.rules)
      compiled.push({ re: compileSafePattern(r.pattern, RULE_PATTERN), reply: r.reply })
    return compiled
  }
  return {
    name: 'auto-reply',
    async onMessage(m: StoredMessage, ctx: PluginContext) {
      const rules = rulesOf(ctx)
      if (rules.length === 0) return undefined
      const rule = rules.find((r) => r.re.test(m.text.trim()))
      if (!rule) return undefined
      await ctx.send(m.threadId ? `${m.chatJid}#${m.threadId}` : m.chatJid, rule.reply)
      return null
    },
  }
}

export const autoReply: BuiltinPlugin = {
  name: 'auto-reply',
  description: 'Answers messages matching a pattern without running the agent',
  defaults: { rules: [] },
  schema: Schema,
  create: createAutoReply,
}
