import type { Group, StoredMessage } from '../core/types.ts'

/** Key-value state of one plugin, kept in the `plugin_state` table (survives restarts and reloads). */
export interface PluginState {
  get(key: string): string | undefined
  set(key: string, value: string): void
  delete(key: string): void
  all(): Record<string, string>
}

/** Where a plugin's log lines go: the ngb log, tagged with the plugin's name. */
export interface PluginLog {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

/** What a plugin may ask of ngb; handed to every hook as the second argument. */
export interface PluginContext {
  /** The plugin's own name. */
  name: string
  /** Assistant name, e.g. for `@<assistant>` mentions. */
  assistantName: string
  /** The plugin's effective config (defaults, then `[plugins.<name>]` in ngb.toml, then the dashboard). */
  readonly config: Readonly<Record<string, unknown>>
  /** Sends a bot message to a chat through the normal outbound path, without running the agent. */
  send(chatJid: string, text: string): Promise<void>
  /** Same as `send` (kept for plugins written against the first API). */
  reply(chatJid: string, text: string): Promise<void>
  state: PluginState
  log: PluginLog
}

export interface OutboundText {
  chatJid: string
  group?: string
  text: string
}

export interface RunRequest {
  group: Group
  chatJid: string
  prompt: string
}

export interface RunSummary {
  group: string
  runId: string
  status: string
  results: number
}

/** A hook returns the (possibly rewritten) value, `undefined` to leave it, or `null` to drop/cancel. */
export type Hook<T> = (value: T, ctx: PluginContext) => T | null | undefined | Promise<T | null | undefined>

export interface Plugin {
  name: string
  version?: string
  description?: string
  /** Config defaults: the base of `ctx.config`, shown (and editable) on the Plugins page. */
  defaults?: Record<string, unknown>
  onMessage?: Hook<StoredMessage>
  onBeforeSend?: Hook<OutboundText>
  onBeforeRun?: Hook<RunRequest>
  onAfterRun?: (run: RunSummary, ctx: PluginContext) => void | Promise<void>
  onGroupRegistered?: (group: Group, ctx: PluginContext) => void | Promise<void>
  onGroupRemoved?: (folder: string, ctx: PluginContext) => void | Promise<void>
}

export type ChainHook = 'onMessage' | 'onBeforeSend' | 'onBeforeRun'
export type NotifyHook = 'onAfterRun' | 'onGroupRegistered' | 'onGroupRemoved'
export const HOOKS = [
  'onMessage',
  'onBeforeSend',
  'onBeforeRun',
  'onAfterRun',
  'onGroupRegistered',
  'onGroupRemoved',
] as const satisfies ReadonlyArray<ChainHook | NotifyHook>
