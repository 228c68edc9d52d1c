import { describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createConsoleSink, createLogger, createRotatingFileSink } from '../../src/util/log.ts'
import { createMasker } from '../../src/util/mask.ts'
import { tempDir } from '../helpers/temp.ts'

describe('logging', () => {
  test('writes JSON lines and masks every configured secret, nested too', () => {
    const path = join(tempDir(), 'logs', 'ngb.log')
    const secret = 'xoxb-123456-secret'
    const log = createLogger({
      level: 'info',
      sinks: [createRotatingFileSink({ path, maxBytes: 1 << 20, maxFiles: 2 })],
      masker: createMasker([secret, 'ab']),
    })
    log.child({ component: 'slack' }).info(`token is ${secret}`, { nested: { header: `Bearer ${secret}` } })
    log.debug('hidden')
    const lines = readFileSync(path, 'utf8').trim().split('\n')
    expect(lines).toHaveLength(1)
    const record = JSON.parse(lines[0] ?? '{}')
    expect(record).toMatchObject({ level: 'info', component: 'slack', msg: 'token is ***' })
    expect(record.nested.header).toBe('Bearer ***')
    expect(readFileSync(path, 'utf8')).not.toContain(secret)
  })

  test('rotates by size and keeps maxFiles old files', () => {
    const path = join(tempDir(), 'ngb.log')
    const log = createLogger({
      level: 'info',
      sinks: [createRotatingFileSink({ path, maxBytes: 200, maxFiles: 2 })],
    })
    for (let i = 0; i < 20; i++) log.info(`line ${i} ${'x'.repeat(40)}`)
    expect(existsSync(`${path}.1`)).toBe(true)
    expect(existsSync(`${path}.2`)).toBe(true)
    expect(existsSync(`${path}.3`)).toBe(false)
    expect(readFileSync(path, 'utf8')).toContain('line 19')
    for (const f of [path, `${path}.1`, `${path}.2`]) expect(readFileSync(f).length).toBeLessThanOrEqual(200)
  })

  test('console lines respect their own level and carry the component', () => {
    let out = ''
    const log = createLogger({
      level: 'warn',
      sinks: [createConsoleSink({ level: 'warn', stream: { write: (s: string) => (out += s) } })],
    })
    log.info('quiet')
    log.child({ component: 'queue' }).warn('loud', { group: 'main' })
    expect(out).not.toContain('quiet')
    expect(out).toMatch(/warn {2}\[queue\] loud \{"group":"main"\}/)
  })
})

test('a removed log directory is recreated, and an unwritable one never throws', () => {
  const dir = tempDir()
  const path = join(dir, 'logs', 'ngb.log')
  const sink = createRotatingFileSink({ path, maxBytes: 1 << 20, maxFiles: 2 })
  sink.write({ ts: 1, level: 'info', msg: 'first' })
  rmSync(join(dir, 'logs'), { recursive: true })
  sink.write({ ts: 2, level: 'info', msg: 'after removal' })
  expect(readFileSync(path, 'utf8')).toContain('after removal')
  const blocked = createRotatingFileSink({ path: join(dir, 'file', 'ngb.log'), maxBytes: 100, maxFiles: 1 })
  writeFileSync(join(dir, 'file', 'ngb.log'), '')
  rmSync(join(dir, 'file'), { recursive: true })
  writeFileSync(join(dir, 'file'), 'a file where the directory should be')
  expect(() => blocked.write({ ts: 3, level: 'info', msg: 'x' })).not.toThrow()
})
