import { type CoreDeps, createCore } from '../../src/app/core.ts'
import type { Channel } from '../../src/core/channel/channel.ts'
import type { EventBus } from '../../src/core/events.ts'
import { createEventBus } from '../../src/core/events.ts'
import type { OrchestratorConfig } from '../../src/core/orchestrator.ts'
import type { RunTask } from '../../src/core/queue/group-queue.ts'
import type { AgentRunner } from '../../src/core/runner/types.ts'
import type { Repos } from '../../src/db/repos/index.ts'
import type { Plugin } from '../../src/plugins/plugin.ts'
import type { Clock } from '../../src/util/clock.ts'
import { systemClock } from '../../src/util/clock.ts'
import { createMemoryLogger } from '../../src/util/log.ts'
import { testDb } from './db.ts'
import { recordEvents } from './events.ts'
import { tempDir } from './temp.ts'

export interface CoreOptions {
  /** A `bus` property (the fake runner's) is set to the core's bus, as the real runner gets it. */
  runner: AgentRunner & { bus?: EventBus }
  config?: Partial<OrchestratorConfig>
  repos?: Repos
  plugins?: Plugin[]
  channels?: Channel[]
  runTask?: RunTask
  removeOrphans?: () => Promise<number>
  bus?: EventBus
  /** Timers of the queue, turns and outbound (retry backoff, idle close, typing); a manual clock in tests of timing. */
  clock?: Clock
  /** Budget checks before each message run (core/budget/gate.ts). */
  budget?: CoreDeps['budget']
}

/**
 * The whole pipeline over a real SQLite file, built by the production composition function
 * (src/app/core.ts) with the given runner, fast send retries and a short plugin time limit.
 */
export function createTestCore(opts: CoreOptions) {
  const repos = opts.repos ?? testDb().repos
  const bus = opts.bus ?? createEventBus()
  if ('bus' in opts.runner || 'turns' in opts.runner) opts.runner.bus = bus
  const { events, waitFor, outTexts } = recordEvents(bus)
  const log = createMemoryLogger()
  const clock = opts.clock ?? systemClock
  const dir = tempDir('ngb-core-')
  const paths = { groups: `${dir}/groups`, ipc: `${dir}/ipc` }
  const core = createCore({
    config: {
      assistantName: 'Andy',
      maxConcurrent: 5,
      retryBaseMs: 5,
      maxRetries: 2,
      timezone: 'UTC',
      ...opts.config,
    },
    repos,
    paths,
    clock,
    log,
    runner: opts.runner,
    removeOrphans: opts.removeOrphans ?? (async () => 0),
    bus,
    channels: opts.channels,
    plugins: opts.plugins,
    runTask: opts.runTask,
    sendQueue: { baseMs: 1, maxMs: 5 },
    hookTimeoutMs: 200,
    budget: opts.budget,
  })
  return { ...core, repos, paths, events, log, waitFor, outTexts }
}
