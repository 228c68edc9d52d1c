/**
 * Finds the shapes behind catastrophic backtracking: a repeated group that itself contains a
 * repetition (`^(a+)+$`, `(a?a){2,}`) or an alternation (`(a|a)+`). JavaScript regexes have no time
 * limit, so one such trigger pattern and a chat message of ~30 characters would freeze the whole
 * server for seconds to hours. Overlap of alternatives is not analysed: a repeated alternation is
 * refused outright, since a character class (`[ab]+`) says the common case safely. Returns the
 * offending group's text, or undefined.
 */
export function unsafeRepetition(pattern: string): string | undefined {
  // One frame per open group: where it starts, whether it holds a quantifier or a `|`.
  const stack: { start: number; repeats: boolean; alternates: boolean }[] = []
  const boundedBrace = (at: number) => pattern[at] === '{' && /^\{\d*,?\d*\}/.test(pattern.slice(at))
  /** Repeats what precedes it more than once: `*`, `+`, `{n,m}`. */
  const repeating = (at: number) => pattern[at] === '*' || pattern[at] === '+' || boundedBrace(at)
  /**
   * Any quantifier, `?` included: `(a?a){2,}` backtracks as badly as `(a+)+`. A `?` right after `(`
   * is group syntax and after another quantifier the lazy modifier, neither a quantifier.
   */
  const quantifier = (at: number) =>
    repeating(at) || (pattern[at] === '?' && at > 0 && !'(*+?}'.includes(pattern[at - 1] ?? ''))
  let i = 0
  while (i < pattern.length) {
    const c = pattern[i]
    if (c === '\\') {
      i += 2
      continue
    }
    if (c === '[') {
      // A character class: skip to its unescaped end; nothing in it nests.
      i++
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1
      i++
      continue
    }
    const top = stack.at(-1)
    if (c === '(') stack.push({ start: i, repeats: false, alternates: false })
    else if (c === '|' && top) top.alternates = true
    else if (c === ')') {
      const group = stack.pop()
      if (group && (group.repeats || group.alternates) && repeating(i + 1))
        return pattern.slice(group.start, i + 2)
      // A repetition inside counts for the group around it too, as in ((a+))+.
      const outer = stack.at(-1)
      if (group && outer && (group.repeats || quantifier(i + 1))) outer.repeats = true
    } else if (top && quantifier(i)) top.repeats = true
    i++
  }
  return undefined
}
