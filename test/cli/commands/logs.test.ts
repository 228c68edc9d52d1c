import { beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRotatingFileSink } from '../../../src/util/log.ts'
import { compiledBinary } from '../../helpers/binary.ts'
import { runNgb } from '../../helpers/cli.ts'
import { spawnNgb } from '../../helpers/spawn-ngb.ts'
import { tempDir } from '../../helpers/temp.ts'
import { waitFor } from '../../helpers/wait.ts'

const T0 = new Date(2026, 10, 25, 9, 30, 5, 123).getTime()
const rec = (level: string, msg: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ ts: T0, level, msg, ...extra })

const dataDir = tempDir('ngb-logs-cli-')
beforeAll(() => {
  mkdirSync(join(dataDir, 'logs'))
  writeFileSync(join(dataDir, 'logs', 'ngb.log.1'), `${rec('info', 'rotated away', { group: 'main' })}\n`)
  writeFileSync(
    join(dataDir, 'logs', 'ngb.log'),
    [
      rec('debug', 'noise'),
      rec('info', 'run started', { component: 'queue', group: 'main', runId: 'r1' }),
      rec('warn', 'slow reply', { component: 'queue', group: 'dev' }),
      'not json at all',
      rec('error', 'container failed', { group: 'main', error: 'exit 1' }),
      '',
    ].join('\n'),
  )
})

describe('ngb logs', () => {
  test('prints the last lines pretty, across rotation, in order', async () => {
    const r = await runNgb(['logs', '--data-dir', dataDir])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')).toEqual([
      '2026-11-25 09:30:05.123 info  rotated away group=main',
      '2026-11-25 09:30:05.123 debug noise',
      '2026-11-25 09:30:05.123 info  [queue] run started group=main runId=r1',
      '2026-11-25 09:30:05.123 warn  [queue] slow reply group=dev',
      'not json at all',
      '2026-11-25 09:30:05.123 error container failed group=main error="exit 1"',
      '',
    ])
  })

  test('-n, --level, --group and --json filter and shape the output', async () => {
    const last2 = await runNgb(['logs', '--data-dir', dataDir, '-n', '2', '--json'])
    expect(last2.stdout).toBe(
      `not json at all\n${rec('error', 'container failed', { group: 'main', error: 'exit 1' })}\n`,
    )
    const warn = await runNgb(['logs', '--data-dir', dataDir, '--level', 'warn'])
    expect(warn.stdout).toContain('slow reply')
    expect(warn.stdout).toContain('container failed')
    expect(warn.stdout).not.toContain('run started')
    expect(warn.stdout).not.toContain('not json')
    const main = await runNgb(['logs', '--data-dir', dataDir, '--group', 'main', '--json'])
    expect(
      main.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { msg: string }).msg),
    ).toEqual(['rotated away', 'run started', 'container failed'])
  })

  test('bad input is a usage error (exit 2) with a hint; a missing log is exit 1', async () => {
    const badN = await runNgb(['logs', '--data-dir', dataDir, '-n', 'lots'])
    expect(badN.code).toBe(2)
    expect(badN.stderr).toBe(
      'ngb: -n expects a whole number of lines, got "lots"\nhint: run `ngb logs --help`\n',
    )
    const badLevel = await runNgb(['logs', '--data-dir', dataDir, '--level', 'loud'])
    expect(badLevel.code).toBe(2)
    const unknownFlag = await runNgb(['logs', '--data-dir', dataDir, '--grup', 'main'])
    expect(unknownFlag.code).toBe(2)
    expect(unknownFlag.stderr).toStartWith('ngb: unknown option --grup\n')
    const missing = await runNgb(['logs', '--data-dir', tempDir('ngb-logs-empty-')])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^ngb: no log yet at .*ngb\.log/)
    expect(missing.stderr.trim().split('\n')).toHaveLength(1)
  })

  test('--help shows the options and examples', async () => {
    const r = await runNgb(['logs', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('--follow')
    expect(r.stdout).toContain('EXAMPLES')
    expect(r.stdout).not.toContain('\x1b[')
  })

  test('-f (compiled binary) shows a line written after it started within 1 s, also after rotation', async () => {
    const binary = compiledBinary()
    const dir = tempDir('ngb-logs-follow-')
    const path = join(dir, 'logs', 'ngb.log')
    const sink = createRotatingFileSink({ path, maxBytes: 200, maxFiles: 2 })
    sink.write({ ts: T0, level: 'info', msg: 'history' })
    const live = spawnNgb(['logs', '-f', '-n', '1', '--data-dir', dir], { binary })
    try {
      await waitFor(() => live.stdout().includes('history'), 'the history line')
      for (const msg of ['fresh-1', 'fresh-2 after a rotation', 'fresh-3 after another']) {
        const before = performance.now()
        sink.write({ ts: Date.now(), level: 'info', msg, group: 'main' })
        await waitFor(() => live.stdout().includes(msg), msg, 1000, 5)
        const ms = performance.now() - before
        expect(ms).toBeLessThan(1000)
      }
      expect(live.stdout().match(/fresh-/g)).toHaveLength(3)
    } finally {
      live.proc.kill('SIGINT')
    }
    expect(await live.exited).toBe(0)
    expect(live.stderr()).toBe('')
  })
})
