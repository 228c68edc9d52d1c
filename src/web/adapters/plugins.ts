import type { PluginHost } from '../../plugins/host.ts'
import type { ChainHook, NotifyHook } from '../../plugins/plugin.ts'
import type { PluginInfo, PluginsService } from '../services.ts'

const HOOKS: Array<ChainHook | NotifyHook> = [
  'onMessage',
  'onBeforeSend',
  'onBeforeRun',
  'onAfterRun',
  'onGroupRegistered',
  'onGroupRemoved',
]

/**
 * What the plugin host really runs, with its counters: nothing more. There is no enable switch or
 * config editor until plugins are loaded from somewhere the host reads (docs/web.md).
 */
export function createWebPlugins(deps: { host?: PluginHost }): PluginsService {
  return {
    list(): PluginInfo[] {
      const stats = deps.host?.stats() ?? []
      return (deps.host?.list() ?? []).map((p) => {
        const s = stats.find((x) => x.name === p.name)
        return {
          name: p.name,
          hooks: HOOKS.filter((h) => p[h] !== undefined),
          calls: s?.calls ?? 0,
          errors: s?.errors ?? 0,
          timeouts: s?.timeouts ?? 0,
          lastError: s?.lastError,
        }
      })
    },
  }
}
