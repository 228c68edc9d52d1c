/**
 * The message pipeline without Docker: 1,000 messages across 50 groups through the web channel →
 * inbound (validate, dedupe, persist, trigger) → queue → a stub runtime that answers at once →
 * delivery (store + message.out). Reports messages/s and p50/p99 latency from inbound to the
 * runtime receiving the message (a container start, or a follow-up into a live one).
 * Baseline in the same run: raw inserts of the same messages through the messages repo.
 * A third run switches the three built-in plugins on (mention, rate-limiter, auto-reply with rules
 * that do not match) and times every hook chain: `plugins.hookMs` is the cost per message.
 * Then two runs that write run rows as the real runner does: before, without usage; after, with
 * usage as `ngb serve` records it (every answer carries usage, the run row its sums, and a budget
 * gate checks before each run and follow-up), and once more with a global daily limit that is
 * never reached, so every check sums usage (`usage.withGlobalBudget`, the worst case).
 * `usage.p50DeltaMs` is what recording usage costs per message.
 * Prints one JSON line. Usage: bun bench/pipeline.ts [--messages 1000] [--groups 50]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCore } from '../src/app/core.ts'
import { createEventBus } from '../src/core/events.ts'
import type { AgentRunner, TurnOutcome } from '../src/core/runner/types.ts'
import type { RunUsage } from '../src/core/types.ts'
import { addUsage, ZERO_USAGE } from '../src/core/usage/sum.ts'
import { openDatabase } from '../src/db/open.ts'
import { createRepos } from '../src/db/repos/index.ts'
import { BUILTIN_PLUGINS } from '../src/plugins/builtin/index.ts'
import type { PluginHost } from '../src/plugins/host.ts'
import type { PluginManager } from '../src/plugins/manager.ts'
import { systemClock } from '../src/util/clock.ts'
import { createMemoryLogger } from '../src/util/log.ts'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(process.argv[i + 1])
}
const MESSAGES = arg('messages', 1000)
const BENCH_USAGE: RunUsage = {
  inputTokens: 1200,
  outputTokens: 80,
  cacheWriteTokens: 300,
  cacheReadTokens: 2000,
  costUsd: 0.0065,
  model: 'bench',
  apiCalls: 1,
  apiMs: 400,
}
const GROUPS = arg('groups', 50)

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0
}
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d

/** The three built-ins on, configured so they do their work but let every bench message through. */
function configureBuiltins(manager: PluginManager) {
  manager.setConfig('mention', { aliases: ['andy_bot', '<@U042>'] })
  manager.setConfig('rate-limiter', { perMinute: 1_000_000, perHour: 10_000_000 })
  manager.setConfig('auto-reply', {
    rules: [
      { pattern: '^opening hours\\??$', reply: '9-17' },
      { pattern: '^(?:hi|hello),? there$', reply: 'hey' },
      { pattern: 'price list', reply: 'see the site' },
    ],
  })
  for (const b of BUILTIN_PLUGINS) manager.setEnabled(b.name, true)
}

/** Times every chain/notify call; per message = all hook time of the run divided by the messages. */
function timed(host: PluginHost, onMessageMs: number[], total: { ms: number }): PluginHost {
  return {
    ...host,
    async chain(hook, value) {
      const t = performance.now()
      const out = await host.chain(hook, value)
      const ms = performance.now() - t
      total.ms += ms
      if (hook === 'onMessage') onMessageMs.push(ms)
      return out
    },
    async notify(hook, value) {
      const t = performance.now()
      await host.notify(hook, value)
      total.ms += performance.now() - t
    },
  }
}

let scenarios = 0

async function scenario(
  work: string,
  cap: number,
  withBuiltins = false,
  withUsage = false,
  withRuns = withUsage,
  /** A global daily budget (never reached), so every check sums usage: the worst case. */
  withBudget = false,
) {
  scenarios++
  const db = openDatabase(join(work, `ngb-${scenarios}.db`))
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
      const startedAt = Date.now()
      let usage = ZERO_USAGE
      // Run rows are written in both the before and the after runs, as the real runner always does.
      if (withRuns) repos.runs.start({ id: runId, groupFolder: req.group.folder, trigger: 'web', startedAt })
      const answer = () =>
        setTimeout(() => {
          if (finished) return
          const frame = withUsage
            ? ({ type: 'result', text: 'ok', usage: BENCH_USAGE } as const)
            : ({ type: 'result', text: 'ok' } as const)
          if (withUsage) usage = addUsage(usage, BENCH_USAGE)
          if (withRuns) bus.publish({ type: 'run.activity', group: req.group.folder, runId, frame })
          req.onFrame?.(frame)
        }, 0)
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
            if (withRuns) {
              const run = {
                finishedAt: Date.now(),
                status: 'ok',
                bytesOut: 0,
                usage: withUsage ? usage : undefined,
              } as const
              repos.runs.finish(runId, run)
              bus.publish({
                type: 'run.finished',
                group: req.group.folder,
                run: { id: runId, groupFolder: req.group.folder, trigger: 'web', startedAt, ...run },
              })
            }
            resolveDone({ runId, status: 'ok', results: [], usage })
          }, 0)
        },
        async kill() {},
        done,
      }
    },
  }
  const onMessageMs: number[] = []
  const hookTotal = { ms: 0 }
  // The production composition (src/app/core.ts), with this stub runner.
  const core = createCore({
    config: {
      assistantName: 'Andy',
      maxConcurrent: cap,
      retryBaseMs: 5000,
      maxRetries: 5,
      timezone: 'Europe/Berlin',
    },
    repos,
    paths: { groups: join(work, `groups-${scenarios}`), ipc: join(work, `ipc-${scenarios}`) },
    clock: systemClock,
    log,
    runner,
    removeOrphans: async () => 0,
    bus,
    transaction: (fn) => db.transaction(fn).immediate(),
    builtins: withBuiltins ? BUILTIN_PLUGINS : undefined,
    wrapPlugins: withBuiltins ? (host) => timed(host, onMessageMs, hookTotal) : undefined,
    globalBudget: () => (withBudget ? { dailyUsd: 1_000_000 } : {}),
  })
  if (withBuiltins) configureBuiltins(core.pluginManager)
  const { orchestrator, web } = core
  const gate = withUsage ? core.budget : undefined
  gate?.start()
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
  gate?.stop()
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
    ...(withBuiltins
      ? {
          hookMs: {
            onMessageP50: round(percentile(onMessageMs, 50), 4),
            onMessageP99: round(percentile(onMessageMs, 99), 4),
            allHooksPerMessage: round(hookTotal.ms / MESSAGES, 4),
          },
        }
      : {}),
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
  const builtins = await scenario(work, GROUPS, true)
  // Usage recorded and budgets checked, against a run without them in the same process just before.
  const before = await scenario(work, GROUPS, false, false, true)
  const withUsage = await scenario(work, GROUPS, false, true)
  const withBudget = await scenario(work, GROUPS, false, true, true, true)
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
    plugins: {
      on: BUILTIN_PLUGINS.map((b) => b.name),
      ...builtins,
      p50DeltaMs: round(builtins.latencyMs.p50 - open.latencyMs.p50),
    },
    usage: {
      before: { messagesPerSec: before.messagesPerSec, latencyMs: before.latencyMs },
      after: { messagesPerSec: withUsage.messagesPerSec, latencyMs: withUsage.latencyMs },
      p50DeltaMs: round(withUsage.latencyMs.p50 - before.latencyMs.p50),
      p99DeltaMs: round(withUsage.latencyMs.p99 - before.latencyMs.p99),
      withGlobalBudget: {
        messagesPerSec: withBudget.messagesPerSec,
        latencyMs: withBudget.latencyMs,
        p50DeltaMs: round(withBudget.latencyMs.p50 - before.latencyMs.p50),
      },
    },
    target: { p50Ms: 5, messagesPerSec: 2000, hookMsPerMessageP50: 0.2 },
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
