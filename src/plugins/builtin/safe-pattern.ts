import { InvalidInputError } from '../../core/errors.ts'

/** Longest pattern accepted, and the longest text a pattern is run against (the rest is not looked at). */
export const MAX_PATTERN_LENGTH = 500
export const MAX_MATCH_INPUT = 4000

interface Frame {
  /** The group holds a quantifier or an alternation somewhere inside. */
  risky: boolean
}

/** Length of a quantifier starting at `i` (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`), or 0. */
function quantifierAt(s: string, i: number): { len: number; repeats: boolean } {
  const c = s[i]
  if (c === '*' || c === '+') return { len: 1, repeats: true }
  if (c === '?') return { len: 1, repeats: false }
  if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(i))
    if (m) {
      const repeats = m[2] !== undefined && (m[3] === '' || Number(m[3]) > 1)
      return { len: m[0].length, repeats: repeats || Number(m[1]) > 1 }
    }
  }
  return { len: 0, repeats: false }
}

/**
 * Why a pattern could backtrack catastrophically, or undefined. Rejects what makes a regex engine
 * take exponential time: a repeated group that itself repeats or alternates (`(a+)+`, `(a|aa)*`),
 * and backreferences. Conservative on purpose: a rejected pattern can always be written flatter.
 */
export function backtrackingRisk(source: string): string | undefined {
  const stack: Frame[] = [{ risky: false }]
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    if (c === '\\') {
      if (/[1-9k]/.test(source[i + 1] ?? '')) return 'backreferences are not allowed'
      i++
      continue
    }
    if (c === '[') {
      // Skip the class; a quantifier after it is a plain repeat of one character.
      i++
      while (i < source.length && source[i] !== ']') {
        if (source[i] === '\\') i++
        i++
      }
      continue
    }
    if (c === '(') {
      stack.push({ risky: false })
      // Skip the group kind (`?:`, `?=`, `?!`, `?<=`, `?<!`, `?<name>`): its `?` is no quantifier.
      const kind = /^\?(?::|=|!|<=|<!|<[^>]*>)/.exec(source.slice(i + 1))
      if (kind) i += kind[0].length
      continue
    }
    const top = stack[stack.length - 1]
    if (!top) break
    if (c === '|') {
      top.risky = true
      continue
    }
    if (c === ')') {
      const inner = stack.pop()
      const outer = stack[stack.length - 1]
      if (!inner || !outer) break
      const q = quantifierAt(source, i + 1)
      if (q.repeats && inner.risky) return 'a repeated group must not itself repeat or alternate'
      if (inner.risky || q.len > 0) outer.risky = true
      continue
    }
    const q = quantifierAt(source, i)
    if (q.len > 0 && i > 0) top.risky = true
  }
  return undefined
}

/**
 * Compiles a user pattern (case-insensitive, unicode, like trigger patterns) or throws an
 * InvalidInputError saying what to change. `field` names the setting in the message.
 */
export function compileSafePattern(source: string, field: string): RegExp {
  if (source.trim() === '') throw new InvalidInputError(`${field}: the pattern must not be empty`, field)
  if (source.length > MAX_PATTERN_LENGTH)
    throw new InvalidInputError(
      `${field}: the pattern is longer than ${MAX_PATTERN_LENGTH} characters`,
      field,
    )
  const risk = backtrackingRisk(source)
  if (risk) throw new InvalidInputError(`${field}: the pattern "${source}" is refused: ${risk}`, field)
  try {
    return new RegExp(source, 'iu')
  } catch (error) {
    throw new InvalidInputError(
      `${field}: "${source}" is not a valid regular expression: ${error instanceof Error ? error.message : error}`,
      field,
    )
  }
}

/** Tests a compiled pattern against at most MAX_MATCH_INPUT characters of `text`. */
export function matchesBounded(re: RegExp, text: string): boolean {
  return re.test(text.length > MAX_MATCH_INPUT ? text.slice(0, MAX_MATCH_INPUT) : text)
}
