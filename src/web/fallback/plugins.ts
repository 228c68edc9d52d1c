import { NotFoundError } from '../../core/errors.ts'
import type { PluginStateRepo } from '../../db/repos/plugin-state.ts'
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
 * The built-in plugins as a static list, with enabled/config persisted in plugin_state so the
 * plugin host can read them when it exists. No external plugins are listed until then.
 */
export function createStaticPlugins(deps: { state: PluginStateRepo; now: () => number }): PluginsService {
  const info = (name: string): PluginInfo => {
    const b = BUILTINS.find((p) => p.name === name)
    if (!b) throw new NotFoundError(`plugin "${name}" does not exist`)
    const stored = deps.state.all(name)
    let config = b.defaults
    if (stored.config) {
      try {
        config = JSON.parse(stored.config) as Record<string, unknown>
      } catch {
        // A broken stored config falls back to the defaults; saving fixes it.
        config = b.defaults
      }
    }
    return {
      name,
      builtin: true,
      enabled: stored.enabled !== 'false',
      description: b.description,
      config,
      errors: 0,
    }
  }
  return {
    list: () => BUILTINS.map((b) => info(b.name)),
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
