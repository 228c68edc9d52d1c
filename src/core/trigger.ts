import type { Logger } from '../util/log.ts'
import { compileSafePattern, type SafePattern } from './safe-pattern.ts'
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
export type TriggerPattern = SafePattern

/** Compiles a group's trigger pattern (core/safe-pattern.ts: RE2, linear time), or throws naming the problem. */
export function compileTriggerPattern(pattern: string): TriggerPattern {
  return compileSafePattern(pattern, { label: 'the trigger pattern', field: 'triggerPattern' })
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
