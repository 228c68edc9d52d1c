/**
 * Soak: 200 groups on the Telegram, Discord and Slack wire fakes, talking to a real `ngb serve`
 * with real mock-agent containers: direct messages, room mentions, follow-ups into a live
 * container and scheduled tasks, for 30 minutes by default. Prints one JSON line: lost and
 * duplicated messages (both must be 0), RSS growth, open file descriptors, running and orphan
 * containers, p50/p99 reply latency.
 * Usage: bun bench/soak.ts [--minutes 30] [--groups 200] [--active 16] [--max-concurrent 6]
 * (or NGB_SOAK_MINUTES). Needs Docker; builds the test image if missing.
 */
import { buildTestImage } from '../src/image/test-image.ts'
import { runSoak } from './soak/run.ts'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(process.argv[i + 1])
}

const image = (await buildTestImage({ cli: 'docker' })).pinnedTag
const report = await runSoak({
  minutes: arg('minutes', Number(process.env.NGB_SOAK_MINUTES ?? 30)),
  groups: arg('groups', 200),
  active: arg('active', 16),
  maxConcurrent: arg('max-concurrent', 6),
  image,
  progress: (line) => process.stderr.write(`${line}\n`),
})
console.log(JSON.stringify({ bench: 'soak', ...report }))
process.exitCode =
  report.messages.lost === 0 && report.messages.duplicated === 0 && report.containers.orphansAfterExit === 0
    ? 0
    : 1
