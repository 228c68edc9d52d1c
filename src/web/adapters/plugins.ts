import type { PluginManager } from '../../plugins/manager.ts'
import type { PluginsService } from '../services.ts'

/**
 * The Plugins page and /api/plugins over the plugin manager: the list is what the host runs, and a
 * switch or a saved config changes the running chain at once.
 */
export function createWebPlugins(manager: PluginManager): PluginsService {
  return {
    list: () => manager.list(),
    setEnabled: (name, enabled) => manager.setEnabled(name, enabled),
    setConfig: (name, config) => manager.setConfig(name, config),
  }
}
