import { describe, expect, test } from 'bun:test'
import { InvalidInputError } from '../../src/core/errors.ts'
import { compileTriggerPattern, createTriggerChecker } from '../../src/core/trigger.ts'
import type { Group } from '../../src/core/types.ts'
import corpus from './corpus/trigger-patterns.json'
import { junk } from './gen.ts'
import { forAll, type Rng } from './prng.ts'

const group = (triggerPattern: string): Group => ({
  folder: 'g',
  name: 'g',
  isMain: false,
  triggerMode: 'pattern',
  triggerPattern,
  settings: {},
  createdAt: 0,
})

/** Regex-shaped strings: atoms, groups, classes and quantifiers, sometimes broken. */
function randomPattern(rng: Rng, depth = 3): string {
  const atom = () =>
    rng.pick<() => string>([
      () => rng.string(1, 'ab.x'),
      () => rng.pick(['\\w', '\\d', '\\s', '\\(', '[a-z]', '[(+)]', '^', '$', '|']),
      () => (depth > 0 ? `(${randomPattern(rng, depth - 1)})` : 'a'),
      () => junk(rng, 3),
    ])()
  let out = ''
  for (let i = rng.int(1, 4); i > 0; i--)
    out += atom() + (rng.bool(0.4) ? rng.pick(['*', '+', '?', '{2,}', '{1,3}']) : '')
  return out
}

/** Far above any linear match of a 100-character message, far below what backtracking takes. */
const SLOW_MS = 200

/** The adversarial input for a nested repetition: many matching characters, then a mismatch. */
const attack = (rng: Rng) => `${`${rng.pick(['a', 'x', 'ab', ' '])}`.repeat(rng.int(20, 40))}!`

describe('trigger patterns (property)', () => {
  test('any pattern compiles or is refused with a clear error; a compiled one answers a hostile message in < 200 ms', async () => {
    const checker = createTriggerChecker('Andy')
    await forAll('trigger patterns', 2000, (rng) => {
      const pattern = randomPattern(rng)
      try {
        compileTriggerPattern(pattern)
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err
        expect(err.field).toBe('triggerPattern')
        return
      }
      const text = attack(rng)
      // The fastest of three runs: a GC pause or a busy machine slows one run, never all three,
      // while a backtracking pattern takes seconds every time.
      const ms = Math.min(
        ...[0, 1, 2].map(() => {
          const started = performance.now()
          checker.triggers(group(pattern), { text, mentionsBot: false, isGroup: true })
          return performance.now() - started
        }),
      )
      if (ms > SLOW_MS)
        throw new Error(
          `pattern ${JSON.stringify(pattern)} took ${ms.toFixed(0)} ms on ${JSON.stringify(text)}`,
        )
    })
  })

  // Either answer keeps serve responsive: refused when saved (the static check here) or compiled
  // to a linear-time matcher (RE2, as branch security does); what may never happen is a stall.
  test.each(corpus.unsafe)(
    'corpus: %p is refused when saved or matched in linear time, never a stall',
    (pattern) => {
      let refused = false
      try {
        compileTriggerPattern(pattern)
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidInputError)
        refused = true
      }
      const text = `${'a'.repeat(40)}!`
      const started = performance.now()
      const hit = createTriggerChecker('Andy').triggers(group(pattern), {
        text,
        mentionsBot: false,
        isGroup: true,
      })
      expect(performance.now() - started).toBeLessThan(SLOW_MS)
      // A refused pattern never matches; a compiled one answers what the pattern means: JavaScript's
      // answer on a short text of the same shape (quick there, and the same for these patterns).
      expect(hit).toBe(refused ? false : new RegExp(pattern, 'iu').test('aaaaa!'))
    },
  )

  test.each(corpus.safe)('corpus: %p is accepted', (pattern) => {
    expect(() => compileTriggerPattern(pattern)).not.toThrow()
  })
})
