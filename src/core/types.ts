/** The shared vocabulary of ngb: the records the core, the repos and the adapters meet on. */

export type TriggerMode = 'always' | 'mention' | 'pattern'
export type NetworkMode = 'bridge' | 'none' | 'host'
export type RunTrigger = 'message' | 'task' | 'cli' | 'web'
export type RunStatus = 'running' | 'ok' | 'error' | 'timeout'
export type ScheduleType = 'cron' | 'interval' | 'once'
export type ContextMode = 'group' | 'isolated'
export type TaskStatus = 'active' | 'paused' | 'completed'

export interface ExtraMount {
  hostPath: string
  /** Relative path under /workspace/extra in the container. */
  containerPath: string
  readonly?: boolean
}

export interface GroupSettings {
  network?: NetworkMode
  memory?: string
  cpus?: string
  timeoutMs?: number
  provider?: 'claude' | 'mock'
  image?: string
  extraMounts?: ExtraMount[]
  /** Spending limits for this group (docs/usage.md); the global one is in the config. */
  budget?: BudgetLimits
}

export interface Group {
  folder: string
  name: string
  isMain: boolean
  triggerMode: TriggerMode
  triggerPattern?: string
  settings: GroupSettings
  createdAt: number
}

export interface Chat {
  jid: string
  platform: string
  name?: string
  isGroup: boolean
  lastMessageAt?: number
  createdAt: number
}

export interface Binding {
  chatJid: string
  groupFolder: string
  createdAt: number
}

export interface StoredMessage {
  /** Insertion order across all chats; cursors point at it. */
  seq: number
  chatJid: string
  id: string
  senderJid: string
  senderName: string
  text: string
  ts: number
  fromBot: boolean
  isGroup: boolean
  mentionsBot: boolean
  replyTo?: string
  threadId?: string
  /**
   * Decided once, by the inbound pipeline's trigger step: this message wakes the group's agent.
   * Stored rows always carry it; absent means no (messages built outside the pipeline).
   */
  triggers?: boolean
  /** Files that came with the message, stored in the group workspace. */
  attachments?: MessageAttachment[]
}

/** A received file as recorded on its message; `path` is relative to the group workspace. */
export interface MessageAttachment {
  /** Same values as the protocol's ATTACHMENT_KINDS (this file imports nothing). */
  kind: 'image' | 'document' | 'voice' | 'audio' | 'video'
  name: string
  mimeType: string
  size: number
  path: string
  transcript?: string
}

export type NewMessage = Omit<StoredMessage, 'seq'>

export interface Task {
  id: string
  groupFolder: string
  chatJid: string
  prompt: string
  scheduleType: ScheduleType
  scheduleValue: string
  contextMode: ContextMode
  status: TaskStatus
  nextRunAt?: number
  lastRunAt?: number
  lastResult?: string
  createdAt: number
}

export interface TaskRun {
  id: number
  taskId: string
  runId?: string
  startedAt: number
  finishedAt?: number
  status: RunStatus
  result?: string
  error?: string
}

export interface Run {
  id: string
  groupFolder: string
  trigger: RunTrigger
  containerName?: string
  startedAt: number
  firstOutputAt?: number
  finishedAt?: number
  exitCode?: number
  status: RunStatus
  error?: string
  bytesOut: number
  logPath?: string
  /** The chat the run answered, the task it ran for, and the agent session it used. */
  chatJid?: string
  taskId?: string
  sessionId?: string
  /** What the run cost, summed over its turns (zero until it reports; the runs table always has it). */
  usage?: RunUsage
}

/** A daily and a monthly limit, in USD and/or tokens (all four kinds). Absent = no limit. */
export interface BudgetLimits {
  dailyUsd?: number
  monthlyUsd?: number
  dailyTokens?: number
  monthlyTokens?: number
  /** Over budget: `hold` keeps messages and answers them when the budget allows; `drop` skips them. */
  policy?: BudgetPolicy
}
export type BudgetPolicy = 'hold' | 'drop'

/** Tokens by kind, cost in USD, API calls and time: the provider's figures for a run or a sum of runs. */
export interface RunUsage {
  inputTokens: number
  outputTokens: number
  cacheWriteTokens: number
  cacheReadTokens: number
  costUsd: number
  model?: string
  apiCalls: number
  apiMs: number
}
