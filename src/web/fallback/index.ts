import type { LoadedConfig } from '../../config/load.ts'
import { describeConfig } from '../../config/load.ts'
import type { EventBus } from '../../core/events.ts'
import type { Repos } from '../../db/repos/index.ts'
import type { WebServices } from '../services.ts'
import { createFallbackChannels } from './channels.ts'
import { createFallbackGroups } from './groups.ts'
import { createFallbackWebChat, createRepoChats, createRepoRuns, createRepoSessions } from './misc.ts'
import { createStaticPlugins } from './plugins.ts'
import { createFallbackTasks } from './tasks.ts'

export interface FallbackDeps {
  repos: Repos
  bus: EventBus
  loaded: LoadedConfig
  groupsDir: string
  now: () => number
}

/** Every web service over the repos and the bus; `overrides` swaps in the core's real ones. */
export function createWebServices(deps: FallbackDeps, overrides: Partial<WebServices> = {}): WebServices {
  const webChat = overrides.webChat ?? createFallbackWebChat(deps)
  return {
    groups: createFallbackGroups(deps),
    tasks: createFallbackTasks({
      ...deps,
      timezone: deps.loaded.config.timezone,
      defaultChatOf: webChat.jidOf,
    }),
    chats: createRepoChats(deps.repos),
    runs: createRepoRuns(deps.repos),
    sessions: createRepoSessions(deps.repos),
    channels: createFallbackChannels({ config: deps.loaded.config, bus: deps.bus, meta: deps.repos.meta }),
    plugins: createStaticPlugins({ state: deps.repos.pluginState, now: deps.now }),
    config: { describe: () => describeConfig(deps.loaded) },
    ...overrides,
    webChat,
  }
}
