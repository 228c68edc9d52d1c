import type { PostingChannel } from '../../channels/shared/local.ts'
import type { LoadedConfig } from '../../config/load.ts'
import { describeConfig } from '../../config/load.ts'
import type { ChannelRegistry } from '../../core/channel/registry.ts'
import type { ImageWatch } from '../../core/container/image-watch.ts'
import type { EventBus } from '../../core/events.ts'
import type { GroupsService as CoreGroups } from '../../core/groups.ts'
import { createGroupsService } from '../../core/groups.ts'
import { createTasksService } from '../../core/tasks.ts'
import type { Repos } from '../../db/repos/index.ts'
import type { PluginHost } from '../../plugins/host.ts'
import type { Clock } from '../../util/clock.ts'
import type { WebServices } from '../services.ts'
import { createWebChannels } from './channels.ts'
import { createWebGroups } from './groups.ts'
import { createWebImage } from './image.ts'
import { createWebPlugins } from './plugins.ts'
import { createRepoChats, createRepoRuns, createRepoSessions } from './reads.ts'
import { createWebTasks } from './tasks.ts'
import { createChannelWebChat, createFallbackWebChat } from './web-chat.ts'

export interface WebServicesDeps {
  repos: Repos
  bus: EventBus
  loaded: LoadedConfig
  groupsDir: string
  clock: Clock
  /** The running pipeline under `ngb serve`; without it the web layer works on the repos alone. */
  core?: { groups: CoreGroups; web: PostingChannel; channels: ChannelRegistry; plugins: PluginHost }
  /** Serve's watch over the agent image (missing → the Overview offers the build). */
  image?: ImageWatch
}

/** Every web service over the repos and the bus; `overrides` swaps in the core's real ones. */
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
    bus,
    clock,
    timezone: deps.loaded.config.timezone,
  })
  return {
    groups: createWebGroups({ core: coreGroups, repos, groupsDir: deps.groupsDir, now }),
    tasks: createWebTasks({ core: coreTasks, repos, bus, now, defaultChatOf: webChat.jidOf }),
    chats: createRepoChats(deps.repos),
    runs: createRepoRuns(deps.repos),
    sessions: createRepoSessions(deps.repos),
    channels: createWebChannels({
      config: deps.loaded.config,
      bus,
      meta: repos.meta,
      registry: core?.channels,
    }),
    plugins: createWebPlugins({ host: core?.plugins }),
    config: { describe: () => describeConfig(deps.loaded) },
    image: createWebImage(deps.image),
    ...overrides,
    webChat,
  }
}
