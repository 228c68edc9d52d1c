import { NotFoundError } from '../../core/errors.ts'
import type { PluginStateRepo } from '../../db/repos/plugin-state.ts'
import type { PluginHost } from '../../plugins/host.ts'
import type { PluginInfo, PluginsService } from '../services.ts'

const BUILTINS: Array<{ name: string; description: string; defaults: Record<string, unknown> }> = [
  {
    name: 'rate-limiter',
    description: 'Limits messages per chat per minute and per hour',
    defaults: { perMinute: 10, perHour: 100 },
  },
  {
    name: 'auto-reply',
    description: 'Answers messages matching a pattern without running the agent',
    defaults: { rules: [] },
  },
  { name: 'mention', description: 'Normalises platform mentions to @<assistant>', defaults: {} },
]

/**
 * The built-in plugins (a static list until they ship) plus whatever the plugin host has loaded,
 * with its error counters. Enabled/config are stored in plugin_state, where the host reads them.
 */
export function createWebPlugins(deps: {
  state: PluginStateRepo
  now: () => number
  host?: PluginHost
}): PluginsService {
  const known = () => {
    const list = BUILTINS.map((b) => ({ ...b, builtin: true }))
    for (const p of deps.host?.list() ?? [])
      if (!list.some((b) => b.name === p.name))
        list.push({ name: p.name, description: 'external plugin', defaults: {}, builtin: false })
    return list
  }
  const info = (name: string): PluginInfo => {
    const b = known().find((p) => p.name === name)
    if (!b) throw new NotFoundError(`plugin "${name}" does not exist`)
    const stored = deps.state.all(name)
    let config = b.defaults
    if (stored.config) {
      try {
        config = JSON.parse(stored.config) as Record<string, unknown>
      } catch {
        // A broken stored config shows the defaults; saving a new one replaces it.
        config = b.defaults
      }
    }
    const errors = deps.host?.stats().find((s) => s.name === name)?.errors ?? 0
    return {
      name,
      builtin: b.builtin,
      enabled: stored.enabled !== 'false',
      description: b.description,
      config,
      errors,
    }
  }
  return {
    list: () => known().map((b) => info(b.name)),
    setEnabled(name, enabled) {
      info(name)
      deps.state.set(name, 'enabled', String(enabled), deps.now())
      return info(name)
    },
    setConfig(name, config) {
      info(name)
      deps.state.set(name, 'config', JSON.stringify(config), deps.now())
      return info(name)
    },
  }
}
