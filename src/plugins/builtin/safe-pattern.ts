import { RE2JS } from 're2js'
import { InvalidInputError } from '../../core/errors.ts'

/** Longest pattern accepted, and the most of a message a pattern is run against. */
export const MAX_PATTERN_LENGTH = 1000
export const MAX_MATCH_INPUT = 16 * 1024

/** A compiled pattern; `test` looks at the first MAX_MATCH_INPUT characters of the text. */
export interface SafePattern {
  test(text: string): boolean
}

/**
 * Compiles a user pattern the way trigger patterns are compiled (branch `security` moves those to
 * RE2): on RE2 (re2js), which matches in time linear in the text, so no pattern can stall the
 * pipeline with catastrophic backtracking (`(a+)+$`, `.*a.*b` on a long text). The price: no
 * backreferences or lookarounds. Case-insensitive and Unicode-aware. `field` names the setting.
 */
export function compileSafePattern(source: string, field: string): SafePattern {
  if (source.trim() === '') throw new InvalidInputError(`${field}: the pattern must not be empty`, field)
  if (source.length > MAX_PATTERN_LENGTH)
    throw new InvalidInputError(
      `${field}: the pattern is longer than ${MAX_PATTERN_LENGTH} characters`,
      field,
    )
  let re: RE2JS
  try {
    re = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE)
  } catch (error) {
    throw new InvalidInputError(
      `${field}: "${source}" is not a valid regular expression (RE2 syntax: no backreferences or lookarounds): ${error instanceof Error ? error.message : error}`,
      field,
    )
  }
  return {
    test: (text) => re.matcher(text.length > MAX_MATCH_INPUT ? text.slice(0, MAX_MATCH_INPUT) : text).find(),
  }
}

/** Why a pattern is refused, or undefined when it compiles. */
export function patternProblem(source: string): string | undefined {
  try {
    compileSafePattern(source, 'pattern')
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}
