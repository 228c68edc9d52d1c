import { expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { atomicWriteJson, ipcFileName } from '../../src/protocol/ipc-files.ts'
import { tempDir } from '../helpers/temp.ts'

test('names written in the same millisecond still sort in write order', () => {
  const names = Array.from({ length: 200 }, () => ipcFileName(1_700_000_000_000))
  expect([...names].sort()).toEqual(names)
  expect(new Set(names).size).toBe(names.length)
  expect(names[0]).toMatch(/^1700000000000-[a-z0-9]+\.json$/)
})

test('atomic writes in a tight loop are read back in order', () => {
  const dir = tempDir()
  for (let i = 0; i < 50; i++) atomicWriteJson(dir, { i })
  const values = readdirSync(dir)
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')).i)
  expect(values).toEqual(Array.from({ length: 50 }, (_, i) => i))
})
