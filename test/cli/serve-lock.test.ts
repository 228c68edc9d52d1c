import { describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { acquireServeLock, serveLockHolder, serveLockPath } from '../../src/cli/serve-lock.ts'
import { ConflictError } from '../../src/core/errors.ts'
import { tempDir } from '../helpers/temp.ts'

/** A PID that is surely dead: a child that has exited. */
async function deadPid(): Promise<number> {
  const p = Bun.spawn(['true'])
  await p.exited
  return p.pid
}

describe('serve lock', () => {
  test('a second holder is refused with the PID and port of the first', () => {
    const dir = tempDir()
    const lock = acquireServeLock(dir)
    lock.setPort(8123)
    // The parent of this test process is alive and is not us.
    expect(() => acquireServeLock(dir, process.ppid)).toThrow(ConflictError)
    expect(() => acquireServeLock(dir, process.ppid)).toThrow(`pid ${process.pid}, port 8123`)
    expect(serveLockHolder(dir)).toEqual({ pid: process.pid, port: 8123 })
    lock.release()
    expect(existsSync(serveLockPath(dir))).toBe(false)
  })

  test('a stale lock of a dead PID is taken over', async () => {
    const dir = tempDir()
    writeFileSync(serveLockPath(dir), JSON.stringify({ pid: await deadPid(), port: 1 }))
    const lock = acquireServeLock(dir)
    expect(JSON.parse(readFileSync(serveLockPath(dir), 'utf8')).pid).toBe(process.pid)
    lock.release()
  })

  test('a garbage lock file is taken over', () => {
    const dir = tempDir()
    writeFileSync(serveLockPath(dir), 'not json')
    acquireServeLock(dir).release()
  })
})
