import { expect, test } from 'bun:test'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRunLog } from '../../../src/core/runner/run-log.ts'
import { createMasker } from '../../../src/util/mask.ts'
import { tempDir } from '../../helpers/temp.ts'

test('a run log that cannot be written reports it once, says it stopped, and never throws', () => {
  const dir = tempDir()
  // A directory where the file should be: every append fails (EISDIR), even as root.
  const path = join(dir, 'run-x.log')
  mkdirSync(path)
  const failures: string[] = []
  const log = createRunLog(
    dir,
    'run-x.log',
    createMasker([]),
    () => 0,
    (error) => failures.push(String(error)),
  )
  log.line('start', 'one')
  log.line('frame', 'two')
  log.line('end', 'three')
  expect(failures).toHaveLength(1)
  expect(failures[0]).toContain('EISDIR')
})

test('a writable run log gets every line, masked', () => {
  const root = tempDir()
  const path = join(root, 'logs', 'run-y.log')
  const failures: unknown[] = []
  const log = createRunLog(
    root,
    'logs/run-y.log',
    createMasker(['s3cret']),
    () => 0,
    (e) => failures.push(e),
  )
  log.line('input', 'key=s3cret')
  expect(readFileSync(path, 'utf8')).not.toContain('s3cret')
  expect(failures).toEqual([])
})
