/**
 * The message pipeline without Docker: 1,000 messages across 50 groups through the web channel →
 * inbound (validate, dedupe, persist, trigger) → queue → a stub runtime that answers at once →
 * delivery (store + message.out). Reports messages/s and p50/p99 latency from inbound to the
 * runtime receiving the message (a container start, or a follow-up into a live one).
 * Baseline in the same run: raw inserts of the same messages through the messages repo.
 * Prints one JSON line. Usage: bun bench/pipeline.ts [--messages 1000] [--groups 50]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCore } from '../src/app/core.ts'
import { createEventBus } from '../src/core/events.ts'
import type { AgentRunner, TurnOutcome } from '../src/core/runner/types.ts'
import { openDatabase } from '../src/db/open.ts'
import { createRepos } from '../src/db/repos/index.ts'
import { systemClock } from '../src/util/clock.ts'
import { createMemoryLogger } from '../src/util/log.ts'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(process.argv[i + 1])
}
const MESSAGES = arg('messages', 1000)
const GROUPS = arg('groups', 50)

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0
}
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d

async function scenario(work: string, cap: number) {
  const db = openDatabase(join(work, `ngb-${cap}.db`))
  const repos = createRepos(db)
  const bus = createEventBus()
  const log = createMemoryLogger()
  const posted = new Map<string, number>()
  const latencies: number[] = []
  let runs = 0
  let followUps = 0
  const record = (prompt: string) => {
    const now = performance.now()
    for (const m of prompt.matchAll(/>bench (m\d+)</g)) {
      const at = m[1] ? posted.get(m[1]) : undefined
      if (at !== undefined) latencies.push(now - at)
    }
  }
  // The stub runtime: like a fast container, it answers each prompt and follow-up on the next tick
  // and stays alive (taking follow-ups) until it is closed.
  const runner: AgentRunner = {
    start(req) {
      record(req.prompt)
      runs++
      const runId = `stub-${runs}`
      let finished = false
      let resolveDone: (o: TurnOutcome) => void = () => {}
      const done = new Promise<TurnOutcome>((resolve) => {
        resolveDone = resolve
      })
      const answer = () => setTimeout(() => !finished && req.onFrame?.({ type: 'result', text: 'ok' }), 0)
      answer()
      return {
        runId,
        containerName: runId,
        sendFollowUp(text) {
          if (finished) return false
          followUps++
          record(text)
          answer()
          return true
        },
        close() {
          setTimeout(() => {
            finished = true
            resolveDone({ runId, status: 'ok', results: [] })
          }, 0)
        },
        async kill() {},
        done,
      }
    },
  }
  // The production composition (src/app/core.ts), with this stub runner.
  const core = createCore({
    config: { assistantName: 'Andy', maxConcurrent: cap, retryBaseMs: 5000, maxRetries: 5, timezone: 'UTC' },
    repos,
    paths: { groups: join(work, `groups-${cap}`), ipc: join(work, `ipc-${cap}`) },
    clock: systemClock,
    log,
    runner,
    removeOrphans: async () => 0,
    bus,
    transaction: (fn) => db.transaction(fn).immediate(),
  })
  const { orchestrator, web } = core
  for (let g = 0; g < GROUPS; g++) core.groups.createGroup({ folder: `g${g}`, triggerMode: 'always' })
  await orchestrator.start()
  let replies = 0
  bus.on('message.out', () => replies++)

  const start = performance.now()
  for (let i = 0; i < MESSAGES; i++) {
    const id = `m${i}`
    posted.set(id, performance.now())
    await web.post(`g${i % GROUPS}`, `bench ${id}`)
    // Let timers run between messages, as they would between network reads.
    await new Promise((r) => setImmediate(r))
  }
  // Wait until every message has reached the runtime (no message may be lost).
  const deadline = performance.now() + 30_000
  while (latencies.length < MESSAGES && performance.now() < deadline) await Bun.sleep(1)
  const totalMs = performance.now() - start
  await orchestrator.stop(5000)
  db.close()
  if (latencies.length !== MESSAGES)
    throw new Error(`only ${latencies.length} of ${MESSAGES} messages reached the runtime`)
  return {
    maxConcurrent: cap,
    messagesPerSec: Math.round(MESSAGES / (totalMs / 1000)),
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p99: round(percentile(latencies, 99)),
      max: round(Math.max(...latencies)),
    },
    runtimeStarts: runs,
    followUps,
    replies,
  }
}

const work = mkdtempSync(join(tmpdir(), 'ngb-bench-pipeline-'))
try {
  // Baseline: the floor set by SQLite itself, one insert per message.
  const baseDb = openDatabase(join(work, 'baseline.db'))
  const baseRepos = createRepos(baseDb)
  const t0 = performance.now()
  for (let i = 0; i < MESSAGES; i++) {
    baseRepos.messages.insert({
      chatJid: `web:g${i % GROUPS}`,
      id: `m${i}`,
      senderJid: 'web:admin',
      senderName: 'admin',
      text: `message ${i}`,
      ts: Date.now(),
      fromBot: false,
      isGroup: false,
      mentionsBot: true,
    })
  }
  const baselineMs = performance.now() - t0
  baseDb.close()

  // Every group may hold a container: the pipeline's own latency. Then the default cap of 5, where
  // messages for the other 45 groups also wait for a slot (queueing, by design).
  const open = await scenario(work, GROUPS)
  const capped = await scenario(work, 5)
  const result = {
    bench: 'pipeline',
    messages: MESSAGES,
    groups: GROUPS,
    ...open,
    baseline: {
      name: 'raw messages.insert only',
      messagesPerSec: Math.round(MESSAGES / (baselineMs / 1000)),
    },
    defaultCap: capped,
    target: { p50Ms: 5, messagesPerSec: 2000 },
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
