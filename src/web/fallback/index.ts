import type { LoadedConfig } from '../../config/load.ts'
import { describeConfig } from '../../config/load.ts'
import type { EventBus } from '../../core/events.ts'
import { createGroupsService } from '../../core/groups.ts'
import { createTasksService } from '../../core/tasks.ts'
import type { Repos } from '../../db/repos/index.ts'
import type { Clock } from '../../util/clock.ts'
import type { WebServices } from '../services.ts'
import { createFallbackChannels } from './channels.ts'
import { createWebGroups } from './groups.ts'
import { createFallbackWebChat, createRepoChats, createRepoRuns, createRepoSessions } from './misc.ts'
import { createStaticPlugins } from './plugins.ts'
import { createWebTasks } from './tasks.ts'

export interface FallbackDeps {
  repos: Repos
  bus: EventBus
  loaded: LoadedConfig
  groupsDir: string
  clock: Clock
}

/** Every web service over the repos and the bus; `overrides` swaps in the core's real ones. */
export function createWebServices(deps: FallbackDeps, overrides: Partial<WebServices> = {}): WebServices {
  const now = () => deps.clock.now()
  const { repos, bus, clock } = deps
  const webChat = overrides.webChat ?? createFallbackWebChat({ repos, bus, now })
  const coreGroups = createGroupsService({ repos, bus, clock, groupsDir: deps.groupsDir })
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
    channels: createFallbackChannels({ config: deps.loaded.config, bus: deps.bus, meta: deps.repos.meta }),
    plugins: createStaticPlugins({ state: deps.repos.pluginState, now }),
    config: { describe: () => describeConfig(deps.loaded) },
    ...overrides,
    webChat,
  }
}
