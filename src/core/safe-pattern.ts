import { RE2JS } from 're2js'
import { InvalidInputError } from './errors.ts'

/** Longest pattern accepted, and the most of a message a pattern is run against. */
export const MAX_PATTERN_LENGTH = 1000
export const MAX_MATCH_INPUT = 16 * 1024

/** A compiled pattern; `test` looks at the first MAX_MATCH_INPUT characters of the text. */
export interface SafePattern {
  test(text: string): boolean
}

/**
 * Compiles a pattern an admin wrote (a group's trigger, an auto-reply rule). It is matched against
 * every message anyone in a bound chat sends, so it runs on RE2 (re2js), which matches in time
 * linear in the text: no pattern (`^(a+)+$`, `.*a.*b` on a long text) can stall the pipeline. The
 * price: no backreferences or lookarounds. Case-insensitive and Unicode-aware. `label` starts the
 * error messages ("the trigger pattern"), `field` names the setting.
 */
export function compileSafePattern(source: string, where: { label: string; field: string }): SafePattern {
  const { label, field } = where
  if (source.trim() === '') throw new InvalidInputError(`${label} must not be empty`, field)
  if (source.length > MAX_PATTERN_LENGTH)
    throw new InvalidInputError(`${label} is limited to ${MAX_PATTERN_LENGTH} characters`, field)
  let re: RE2JS
  try {
    re = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE)
  } catch (error) {
    throw new InvalidInputError(
      `${label} "${source}" is not a valid regular expression (RE2 syntax: no backreferences or lookarounds): ${error instanceof Error ? error.message : error}`,
      field,
    )
  }
  return {
    test: (text) => re.matcher(text.length > MAX_MATCH_INPUT ? text.slice(0, MAX_MATCH_INPUT) : text).find(),
  }
}
