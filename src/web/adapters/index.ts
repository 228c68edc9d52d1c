import { join } from 'node:path'
import type { PostingChannel } from '../../channels/shared/local.ts'
import type { LoadedConfig } from '../../config/load.ts'
import { describeConfig } from '../../config/load.ts'
import { sniffMime } from '../../core/attachments/sniff.ts'
import { canonicalInWorkspace } from '../../core/attachments/workspace-path.ts'
import type { ChannelRegistry } from '../../core/channel/registry.ts'
import type { ImageWatch } from '../../core/container/image-watch.ts'
import type { EventBus } from '../../core/events.ts'
import type { GroupsService as CoreGroups } from '../../core/groups.ts'
import { createGroupsService } from '../../core/groups.ts'
import { createTasksService } from '../../core/tasks.ts'
import type { Repos } from '../../db/repos/index.ts'
import { BUILTIN_PLUGINS } from '../../plugins/builtin/index.ts'
import { createPluginManager, type PluginManager } from '../../plugins/manager.ts'
import type { Clock } from '../../util/clock.ts'
import { createMemoryLogger } from '../../util/log.ts'
import { safeCopyOut } from '../../util/safe-fs/index.ts'
import type { WebServices } from '../services.ts'
import { createWebChannels } from './channels.ts'
import { createWebGroups } from './groups.ts'
import { createWebImage } from './image.ts'
import { createWebPlugins } from './plugins.ts'
import { createRepoChats, createRepoRuns, createRepoSessions } from './reads.ts'
import { createWebTasks } from './tasks.ts'
import { createWebUsage } from './usage.ts'
import { createChannelWebChat, createFallbackWebChat } from './web-chat.ts'

export interface WebServicesDeps {
  repos: Repos
  bus: EventBus
  loaded: LoadedConfig
  groupsDir: string
  clock: Clock
  /** The running pipeline under `ngb serve`; without it the web layer works on the repos alone. */
  core?: { groups: CoreGroups; web: PostingChannel; channels: ChannelRegistry; pluginManager: PluginManager }
  /** Serve's watch over the agent image (missing → the Overview offers the build). */
  image?: ImageWatch
}

/** Every web service over the repos and the bus; `overrides` swaps in the core's real ones. */
/** Files the dashboard shows from a workspace are read into memory: capped. */
const WORKSPACE_FILE_MAX_BYTES = 64 * 1024 * 1024

export function createWebServices(deps: WebServicesDeps, overrides: Partial<WebServices> = {}): WebServices {
  const now = () => deps.clock.now()
  const { repos, bus, clock } = deps
  const core = deps.core
  const webChat =
    overrides.webChat ?? (core ? createChannelWebChat(core.web) : createFallbackWebChat({ repos, bus, now }))
  const coreGroups = core?.groups ?? createGroupsService({ repos, bus, clock, groupsDir: deps.groupsDir })
  const coreTasks = createTasksService({
    tasks: repos.tasks,
    groups: repos.groups,
    chats: repos.chats,
    bus,
    clock,
    timezone: deps.loaded.config.timezone,
  })
  return {
    groups: createWebGroups({ core: coreGroups, repos, groupsDir: deps.groupsDir, now }),
    tasks: createWebTasks({ core: coreTasks, repos, bus, now }),
    chats: createRepoChats(deps.repos),
    runs: createRepoRuns(deps.repos, deps.groupsDir),
    sessions: createRepoSessions(deps.repos, coreGroups.require),
    channels: createWebChannels({
      config: deps.loaded.config,
      bus,
      meta: repos.meta,
      registry: core?.channels,
    }),
    plugins: createWebPlugins(
      // Without a running pipeline nothing runs plugins; the switches and config are still kept.
      core?.pluginManager ??
        createPluginManager({
          log: createMemoryLogger(),
          base: { assistantName: deps.loaded.config.assistantName, reply: async () => {} },
          store: repos.pluginState,
          builtins: BUILTIN_PLUGINS,
          toml: deps.loaded.plugins,
          now,
        }),
    ),
    config: { describe: () => describeConfig(deps.loaded) },
    image: createWebImage(deps.image),
    usage: createWebUsage({ repos, config: deps.loaded.config, now }),
    ...overrides,
    webChat,
    files: {
      async read(folder, rel) {
        const where = canonicalInWorkspace(join(deps.groupsDir, folder), rel)
        const copy = safeCopyOut(where.root, where.rel, WORKSPACE_FILE_MAX_BYTES)
        try {
          return { bytes: await Bun.file(copy.path).bytes(), mimeType: sniffMime(copy.head) }
        } finally {
          copy.cleanup()
        }
      },
    },
  }
}
