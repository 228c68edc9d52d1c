import { expect, test } from 'bun:test'
import { createLruSet } from '../../src/util/lru.ts'

test('remembers recent keys and forgets the oldest beyond capacity', () => {
  const lru = createLruSet(2)
  expect(lru.add('a')).toBe(true)
  expect(lru.add('b')).toBe(true)
  expect(lru.add('a')).toBe(false)
  expect(lru.add('c')).toBe(true)
  expect(lru.has('b')).toBe(false)
  expect(lru.has('a')).toBe(true)
  expect(lru.size).toBe(2)
})
