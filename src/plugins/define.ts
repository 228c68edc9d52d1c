import type { Plugin } from './plugin.ts'

/**
 * Types a plugin object and returns it unchanged. A plugin file does not need it to run (its default
 * export is a plain object); it only gives an editor the hook and context types.
 */
export function definePlugin<P extends Plugin>(plugin: P): P {
  return plugin
}

export type {
  Hook,
  OutboundText,
  Plugin,
  PluginContext,
  PluginLog,
  PluginState,
  RunRequest,
  RunSummary,
} from './plugin.ts'
