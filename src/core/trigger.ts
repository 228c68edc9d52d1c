import { RE2JS } from 're2js'
import type { Logger } from '../util/log.ts'
import { InvalidInputError } from './errors.ts'
import type { Group } from './types.ts'

/** What the trigger check needs to know about one stored message. */
export interface TriggerInput {
  text: string
  mentionsBot: boolean
  isGroup: boolean
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A compiled trigger pattern. */
export interface TriggerPattern {
  test(text: string): boolean
}

/** Only this much of a message is matched: a bound on the (already linear) work per message. */
export const TRIGGER_TEXT_MAX_CHARS = 16 * 1024

/**
 * Compiles a group's trigger pattern, or throws a message naming the problem. Patterns come from
 * the admin but are matched against every message anyone in a bound chat sends, so they run on
 * RE2 (re2js), which matches in time linear in the text: no pattern, `^(a+)+$` included, can stall
 * the pipeline with catastrophic backtracking. The price: no backreferences or lookarounds.
 * Case-insensitive, and Unicode-aware like the `iu` flags.
 */
export function compileTriggerPattern(pattern: string): TriggerPattern {
  if (pattern.trim() === '')
    throw new InvalidInputError('the trigger pattern must not be empty', 'triggerPattern')
  if (pattern.length > 1000)
    throw new InvalidInputError('the trigger pattern is limited to 1000 characters', 'triggerPattern')
  let re: RE2JS
  try {
    re = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE)
  } catch (error) {
    throw new InvalidInputError(
      `the trigger pattern "${pattern}" is not a valid regular expression (RE2 syntax: no backreferences or lookarounds): ${error instanceof Error ? error.message : error}`,
      'triggerPattern',
    )
  }
  return { test: (text) => re.matcher(text.slice(0, TRIGGER_TEXT_MAX_CHARS)).find() }
}

/** `@<assistant>` at the start, not followed by another name character (so `@AndyBot` ≠ `@Andy`). */
export function addressesAssistant(text: string, assistantName: string): boolean {
  const re = new RegExp(`^@${escapeRegExp(assistantName)}(?![\\p{L}\\p{N}_-])`, 'iu')
  return re.test(text.trim())
}

export interface TriggerChecker {
  /** True if the message should start (or feed) an agent turn for the group. */
  triggers(group: Group, message: TriggerInput): boolean
}

/**
 * Compiled patterns are cached per source string; a bad stored pattern never triggers (and never
 * throws), and `log` hears about it once per pattern, so a group that stays silent can be explained.
 */
export function createTriggerChecker(assistantName: string, log?: Pick<Logger, 'warn'>): TriggerChecker {
  const cache = new Map<string, TriggerPattern | null>()
  const patternOf = (group: Group, source: string): TriggerPattern | null => {
    let re = cache.get(source)
    if (re === undefined) {
      try {
        re = compileTriggerPattern(source)
      } catch (error) {
        // Patterns are validated when saved; a bad one in the db (edited by hand) means "no match".
        re = null
        log?.warn(
          'the stored trigger pattern is invalid, so it will never match; fix it in the group settings',
          {
            group: group.folder,
            pattern: source,
            error: error instanceof Error ? error.message : String(error),
          },
        )
      }
      cache.set(source, re)
    }
    return re
  }
  return {
    triggers(group, message) {
      switch (group.triggerMode) {
        case 'always':
          return true
        case 'mention':
          // In a direct chat every message is addressed to the bot; only group chats need a mention.
          return !message.isGroup || message.mentionsBot || addressesAssistant(message.text, assistantName)
        case 'pattern': {
          if (!group.triggerPattern) return false
          return patternOf(group, group.triggerPattern)?.test(message.text.trim()) ?? false
        }
      }
    },
  }
}
