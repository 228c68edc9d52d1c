import { describe, expect, test } from 'bun:test'
import { InvalidInputError } from '../../src/core/errors.ts'
import { addressesAssistant, compileTriggerPattern, createTriggerChecker } from '../../src/core/trigger.ts'
import type { Group } from '../../src/core/types.ts'
import { createMemoryLogger } from '../../src/util/log.ts'

const group = (over: Partial<Group>): Group => ({
  folder: 'g',
  name: 'g',
  isMain: false,
  triggerMode: 'mention',
  settings: {},
  createdAt: 0,
  ...over,
})
const msg = (text: string, mentionsBot = false) => ({ text, mentionsBot, isGroup: true })

describe('trigger', () => {
  const checker = createTriggerChecker('Andy')

  test('always triggers on anything', () => {
    expect(checker.triggers(group({ triggerMode: 'always' }), msg('hi'))).toBe(true)
  })

  test.each([
    ['@Andy hello', true],
    ['  @andy, hi', true],
    ['@ANDY', true],
    ['@AndyBot hi', false],
    ['@Andy_x', false],
    ['hey @Andy', false],
    ['hello', false],
  ])('mention mode: %p → %p', (text, expected) => {
    expect(checker.triggers(group({ triggerMode: 'mention' }), msg(text))).toBe(expected)
  })

  test('mention mode answers every message of a direct chat', () => {
    expect(checker.triggers(group({}), { text: 'hello', mentionsBot: false, isGroup: false })).toBe(true)
  })

  test('mention mode accepts a platform mention or reply flagged by the adapter', () => {
    expect(checker.triggers(group({}), msg('no name here', true))).toBe(true)
  })

  test('the assistant name is matched literally, not as a regex', () => {
    expect(addressesAssistant('@AxI hi', 'A.I')).toBe(false)
    expect(addressesAssistant('@A.I hi', 'A.I')).toBe(true)
  })

  test('pattern mode is case-insensitive and unicode-aware; a broken stored pattern never matches', () => {
    const g = group({ triggerMode: 'pattern', triggerPattern: '^!(help|ask)' })
    expect(checker.triggers(g, msg('  !HELP me'))).toBe(true)
    expect(checker.triggers(g, msg('help'))).toBe(false)
    expect(checker.triggers(group({ triggerMode: 'pattern', triggerPattern: '(' }), msg('('))).toBe(false)
    expect(checker.triggers(group({ triggerMode: 'pattern' }), msg('x'))).toBe(false)
  })

  test('compileTriggerPattern reports the reason', () => {
    expect(() => compileTriggerPattern('[a-')).toThrow(InvalidInputError)
    expect(() => compileTriggerPattern('  ')).toThrow(/must not be empty/)
  })
})

test('a bad stored pattern never matches and says so in the log once, naming the group', () => {
  const log = createMemoryLogger()
  const checker = createTriggerChecker('Andy', log)
  const bad = group({ folder: 'ops', triggerMode: 'pattern', triggerPattern: '(' })
  expect(checker.triggers(bad, msg('('))).toBe(false)
  expect(checker.triggers(bad, msg('anything'))).toBe(false)
  const warnings = log.records.filter((r) => r.level === 'warn')
  expect(warnings).toHaveLength(1)
  expect(warnings[0]?.msg).toContain('never match')
  expect(warnings[0]?.group).toBe('ops')
})
