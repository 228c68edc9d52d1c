import type { ImageStatus } from '../core/container/image-watch.ts'
/**
 * What the web layer needs from the core, as narrow interfaces. `app.ts` passes the real core
 * services; until one exists, `web/adapters/` implements it over the repos and the EventBus.
 */

import type { NewTask } from '../core/tasks.ts'
import type { Group, GroupSettings, Run, StoredMessage, Task, TaskRun, TriggerMode } from '../core/types.ts'
import type { BindToken } from '../db/repos/bind-tokens.ts'
import type { ChatWithBinding } from '../db/repos/chats.ts'
import type { SessionRecord } from '../db/repos/sessions.ts'

export interface NewGroupInput {
  folder: string
  name: string
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
  remove(folder: string): void
  readMemory(folder: string): string
  writeMemory(folder: string, text: string): void
  chatsOf(folder: string): string[]
  bind(folder: string, chatJid: string): void
  unbind(chatJid: string): void
  createBindToken(folder: string): BindToken
  activeBindTokens(folder?: string): BindToken[]
}

export type NewTaskInput = Omit<NewTask, 'chatJid'> & { chatJid?: string }

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

export interface PluginInfo {
  name: string
  /** The hooks this plugin implements. */
  hooks: string[]
  /** Hook calls, errors and time-outs counted since start. */
  calls: number
  errors: number
  timeouts: number
  lastError?: string
}

/** The plugins the running plugin host has loaded (read-only). */
export interface PluginsService {
  list(): PluginInfo[]
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

export interface WebServices {
  groups: WebGroupsService
  tasks: WebTasksService
  chats: ChatsService
  webChat: WebChatService
  runs: RunsService
  sessions: SessionsService
  channels: ChannelsService
  plugins: PluginsService
  config: { describe(): ConfigRow[] }
  image: AgentImageService
}
