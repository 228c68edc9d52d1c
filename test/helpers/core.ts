import { createCliChannel } from '../../src/channels/cli/index.ts'
import { createWebChannel } from '../../src/channels/web/index.ts'
import type { Channel } from '../../src/core/channel/channel.ts'
import { createChannelRegistry } from '../../src/core/channel/registry.ts'
import type { EventBus } from '../../src/core/events.ts'
import { createEventBus } from '../../src/core/events.ts'
import { createGroupsService } from '../../src/core/groups.ts'
import { createOrchestrator, type OrchestratorConfig } from '../../src/core/orchestrator.ts'
import type { RunTask } from '../../src/core/queue/group-queue.ts'
import type { AgentRunner } from '../../src/core/runner/types.ts'
import type { Repos } from '../../src/db/repos/index.ts'
import { createPluginHost } from '../../src/plugins/host.ts'
import type { Plugin } from '../../src/plugins/plugin.ts'
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
}

/** The whole pipeline over a real SQLite file, with the web and cli channels and the given runner. */
export function createTestCore(opts: CoreOptions) {
  const repos = opts.repos ?? testDb().repos
  const bus = opts.bus ?? createEventBus()
  if ('bus' in opts.runner || 'turns' in opts.runner) opts.runner.bus = bus
  const { events, waitFor, outTexts } = recordEvents(bus)
  const log = createMemoryLogger()
  const groups = createGroupsService({ repos, bus, clock: systemClock, groupsDir: tempDir('ngb-groups-') })
  const context = { assistantName: 'Andy', reply: async (_jid: string, _text: string) => {} }
  const plugins = createPluginHost({ log, context, hookTimeoutMs: 200 }, opts.plugins)
  let onInbound: (m: Parameters<typeof orchestrator.inbound.handle>[0]) => Promise<unknown> = async () => {}
  const channels = createChannelRegistry({ bus, log, onInbound: (m) => onInbound(m).then(() => undefined) })
  const web = createWebChannel()
  const cli = createCliChannel()
  channels.add(web)
  channels.add(cli)
  for (const c of opts.channels ?? []) channels.add(c)
  const orchestrator = createOrchestrator({
    config: {
      assistantName: 'Andy',
      maxConcurrent: 5,
      retryBaseMs: 5,
      maxRetries: 2,
      idleTimeoutMs: 60_000,
      ...opts.config,
    },
    repos,
    groups,
    channels,
    plugins,
    runner: opts.runner,
    bus,
    clock: systemClock,
    log,
    removeOrphans: opts.removeOrphans ?? (async () => 0),
    runTask: opts.runTask,
    sendQueue: { baseMs: 1, maxMs: 5 },
  })
  onInbound = (m) => orchestrator.inbound.handle(m)
  context.reply = async (jid, text) => {
    await orchestrator.outbound.deliver({ chatJid: jid, text })
  }

  return { repos, bus, events, log, groups, plugins, channels, web, cli, orchestrator, waitFor, outTexts }
}
