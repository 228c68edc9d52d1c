import type { Group, StoredMessage } from '../core/types.ts'

/** What a plugin may ask of ngb; handed to every hook. */
export interface PluginContext {
  /** Sends a bot message to a chat (through the normal outbound path, without running the agent). */
  reply(chatJid: string, text: string): Promise<void>
  /** Assistant name, e.g. for `@<assistant>` mentions. */
  assistantName: string
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
  onMessage?: Hook<StoredMessage>
  onBeforeSend?: Hook<OutboundText>
  onBeforeRun?: Hook<RunRequest>
  onAfterRun?: (run: RunSummary, ctx: PluginContext) => void | Promise<void>
  onGroupRegistered?: (group: Group, ctx: PluginContext) => void | Promise<void>
  onGroupRemoved?: (folder: string, ctx: PluginContext) => void | Promise<void>
}

export type ChainHook = 'onMessage' | 'onBeforeSend' | 'onBeforeRun'
export type NotifyHook = 'onAfterRun' | 'onGroupRegistered' | 'onGroupRemoved'
