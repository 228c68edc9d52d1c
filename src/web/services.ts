import type { ImageStatus } from '../core/container/image-watch.ts'
import type { PluginView } from '../plugins/manager.ts'
import type { WorkspaceFiles } from './api/files.ts'
/**
 * What the web layer needs from the core, as narrow interfaces. `app.ts` passes the real core
 * services; until one exists, `web/adapters/` implements it over the repos and the EventBus.
 */

import type { BudgetLine } from '../core/budget/limits.ts'
import type { NewTask } from '../core/tasks.ts'
import type { Group, GroupSettings, Run, StoredMessage, Task, TaskRun, TriggerMode } from '../core/types.ts'
import type { UsageDay, UsageQuery, UsageReport } from '../core/usage/report.ts'
import type { BindToken } from '../db/repos/bind-tokens.ts'
import type { ChatWithBinding } from '../db/repos/chats.ts'
import type { SessionRecord } from '../db/repos/sessions.ts'
import type { UsageRow } from '../db/repos/usage.ts'

export interface NewGroupInput {
  folder: string
  /** Default: the folder (the core's rule). */
  name?: string
  triggerMode?: TriggerMode
  triggerPattern?: string
  settings?: GroupSettings
}

export type GroupUpdate = Partial<Pick<Group, 'name' | 'triggerMode' | 'triggerPattern' | 'settings'>>

export interface WebGroupsService {
  list(): Group[]
  /** Throws NotFoundError. */
  get(folder: string): Group
  create(input: NewGroupInput): Group
  update(folder: string, patch: GroupUpdate): Group
  /** Refuses the main group unless `force`. */
  remove(folder: string, opts?: { force?: boolean }): void
  readMemory(folder: string): string
  writeMemory(folder: string, text: string): void
  chatsOf(folder: string): string[]
  /** A chat bound elsewhere is a conflict unless `move` (core/groups.ts owns the rule). */
  bind(folder: string, chatJid: string, opts?: { move?: boolean }): void
  /** NotFoundError when the chat is not bound. */
  unbind(chatJid: string): void
  createBindToken(folder: string, ttlMs?: number): BindToken
  activeBindTokens(folder?: string): BindToken[]
}

export type NewTaskInput = NewTask

export interface WebTasksService {
  list(opts?: { groupFolder?: string }): Task[]
  get(id: string): Task
  create(input: NewTaskInput): Task
  updatePrompt(id: string, prompt: string): Task
  pause(id: string): Task
  resume(id: string): Task
  remove(id: string): void
  /** Makes the task due now; the scheduler picks it up. */
  runNow(id: string): Task
  runs(id: string, limit?: number): TaskRun[]
}

export interface ChatsService {
  list(opts?: { unboundOnly?: boolean }): ChatWithBinding[]
  messages(chatJid: string, opts?: { beforeSeq?: number; limit?: number }): StoredMessage[]
  search(text: string, opts?: { chatJid?: string; limit?: number }): StoredMessage[]
}

/** The dashboard's chat with a group's agent (the `web` channel). */
export interface WebChatService {
  /** The chat JID the dashboard uses for this group. */
  jidOf(folder: string): string
  /** Hands the message to the pipeline (which stores it); resolves once handed over. */
  post(input: {
    groupFolder: string
    text: string
    senderName: string
    /** Uploaded files (the dashboard chat form); they go through the same path as platform files. */
    files?: File[]
  }): Promise<{ chatJid: string; messageId: string }>
}

export interface RunsService {
  list(opts?: { groupFolder?: string; limit?: number }): Run[]
  running(): Run[]
  get(id: string): Run
  /** The run's log text (tail, capped), '' when there is none. */
  log(id: string): string
}

export interface SessionsService {
  list(): SessionRecord[]
  reset(groupFolder: string, scope?: string): boolean
}

export interface ChannelEntry {
  name: string
  enabled: boolean
  configured: boolean
  status: 'connecting' | 'connected' | 'disconnected' | 'error' | 'disabled'
  detail?: string
}

export interface ChannelsService {
  list(): ChannelEntry[]
  setEnabled(name: string, enabled: boolean): Promise<ChannelEntry>
}

/** One plugin as the host runs it (see src/plugins/manager.ts). */
export type PluginInfo = PluginView

export interface PluginsService {
  list(): PluginInfo[]
  setEnabled(name: string, enabled: boolean): PluginInfo
  setConfig(name: string, config: Record<string, unknown>): PluginInfo
}

export interface ConfigRow {
  key: string
  env: string
  value: string
  source: string
}

/** The agent image as serve sees it; without serve (tests, a bare web app) there is no status. */
export interface AgentImageService {
  status(): ImageStatus | undefined
  /** Starts building the image; resolves when the build ended (the page does not wait for it). */
  build(): Promise<void>
}

export interface BudgetOverview {
  timezone: string
  global: BudgetLine[]
  /** Every group, most expensive this month first. */
  groups: Array<{
    folder: string
    name: string
    todayUsd: number
    monthUsd: number
    monthTokens: number
    policy: 'hold' | 'drop'
    lines: BudgetLine[]
  }>
}

/** What the overview and group charts draw: the last 30 local days, filled with zeros. */
export interface UsageChartData {
  timezone: string
  days: UsageDay[]
  /** Per group over the same 30 days. */
  groups: UsageRow[]
  /** Start to first output of the runs in those 30 days, in ms. */
  p50?: number
  p95?: number
}

export interface UsageService {
  report(query: UsageQuery): UsageReport
  budgets(): BudgetOverview
  charts(group?: string): UsageChartData
}

export interface WebServices {
  groups: WebGroupsService
  tasks: WebTasksService
  chats: ChatsService
  webChat: WebChatService
  /** Workspace files the dashboard chat links to. */
  files: WorkspaceFiles
  runs: RunsService
  sessions: SessionsService
  channels: ChannelsService
  plugins: PluginsService
  config: { describe(): ConfigRow[] }
  image: AgentImageService
  usage: UsageService
}
