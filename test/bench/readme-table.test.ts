import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderTable, replaceBetweenMarkers } from '../../bench/readme-table.ts'
import { REPO_ROOT } from '../helpers/cli.ts'

const SAMPLE = [
  {
    bench: 'startup',
    versionMedianMs: 20.4,
    baselineHelloMedianMs: 6.8,
    serveToHealthMedianMs: 91,
    serveToHealthMaxMs: 99,
  },
  {
    bench: 'pipeline',
    messages: 1000,
    groups: 50,
    messagesPerSec: 2000,
    baseline: { messagesPerSec: 14000 },
  },
  { bench: 'agent-turn', turnMedianMs: 664, baselineBareContainerMedianMs: 420 },
  { bench: 'web-latency', roundTrip: { p50: 2.2 }, baselineBarePost: { p50: 0.4 } },
  { bench: 'something-new', value: 1 },
]

describe('the README performance table', () => {
  test('has one row per figure, each with its same-run baseline and the ratio', () => {
    // Cells are padded for the Markdown formatter; compare with single spaces.
    const table = renderTable(SAMPLE, 'bench/results/1.json').replace(/ {2,}/g, ' ')
    expect(table).toContain(
      '| `ngb --version`, compiled, median | 20.4 ms | compiled hello-world 6.80 ms | 3.00× |',
    )
    expect(table).toContain(
      '| pipeline throughput, 1000 messages over 50 groups (stub runtime) | 2000 msg/s | raw SQLite insert 14000 msg/s | 0.14× |',
    )
    expect(table).toContain(
      '| `ngb run` one mock-agent turn in a container, median | 664 ms | bare container of the image 420 ms | 1.58× |',
    )
    expect(table).toContain('bare loopback POST 0.400 ms | 5.50× |')
    expect(table).toContain('from `bench/results/1.json`')
    expect(
      table
        .split('\n')
        .filter((l) => l.startsWith('| ') && !l.startsWith('| what') && !l.startsWith('| ---')),
    ).toHaveLength(5)
  })

  test('a missing figure shows as a dash, never as NaN', () => {
    expect(renderTable([{ bench: 'startup' }], 'x')).not.toContain('NaN')
  })

  test('is replaced between the markers only, and the README has them', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
    expect(readme).toContain('<!-- bench:start -->')
    const out = replaceBetweenMarkers('a\n<!-- bench:start -->\nold\n<!-- bench:end -->\nb', 'NEW')
    expect(out).toBe('a\n<!-- bench:start -->\nNEW\n<!-- bench:end -->\nb')
    expect(() => replaceBetweenMarkers('no markers', 'x')).toThrow('no <!-- bench:start -->')
  })
})
