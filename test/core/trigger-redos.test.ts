import { expect, test } from 'bun:test'
import { InvalidInputError } from '../../src/core/errors.ts'
import { compileTriggerPattern, createTriggerChecker } from '../../src/core/trigger.ts'
import type { Group } from '../../src/core/types.ts'

const group = (triggerPattern: string): Group => ({
  folder: 'g',
  name: 'G',
  isMain: false,
  triggerMode: 'pattern',
  triggerPattern,
  settings: {},
  createdAt: 1,
})
const msg = (text: string) => ({ text, mentionsBot: false, isGroup: true })

test('catastrophic patterns cannot stall the pipeline: ten hostile messages match in linear time', () => {
  const checker = createTriggerChecker('Andy')
  // Each of these takes seconds to hours with a backtracking engine on these inputs (issue #12: ~7 s).
  const cases: Array<[string, string, boolean]> = [
    ['^(a+)+$', `${'a'.repeat(40)}!`, false],
    ['^(a+)+$', 'a'.repeat(40), true],
    ['(x+x+)+y', 'x'.repeat(5000), false],
    ['.*.*.*=', 'a'.repeat(16_000), false],
    ['^(\\w+\\s?)*$', `${'word '.repeat(3000)}!`, false],
  ]
  for (const [pattern, text, expected] of cases) {
    const g = group(pattern)
    const t0 = performance.now()
    for (let i = 0; i < 10; i++) expect(checker.triggers(g, msg(text))).toBe(expected)
    const ms = performance.now() - t0
    // Linear: tens of ms for ten 16 KB messages even on a loaded machine; a backtracking engine never returns.
    expect(ms).toBeLessThan(2000)
  }
})

test('only the first 16 KiB of a message are matched (a bound on the work per message)', () => {
  const checker = createTriggerChecker('Andy')
  expect(checker.triggers(group('needle'), msg(`${'a'.repeat(20_000)}needle`))).toBe(false)
  expect(checker.triggers(group('needle'), msg(`needle${'a'.repeat(20_000)}`))).toBe(true)
})

test('saving refuses what RE2 cannot run in linear time (backreferences, lookarounds) with a message saying so', () => {
  expect(() => compileTriggerPattern('(a)\\1')).toThrow(/RE2 syntax/)
  expect(() => compileTriggerPattern('^hey(?!ho)')).toThrow(InvalidInputError)
  expect(compileTriggerPattern('^(a+)+$').test('AAA')).toBe(true)
})
