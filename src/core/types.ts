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
  /** Decided once, by the inbound pipeline's trigger step: this message wakes the group's agent. */
  triggers: boolean
}

/** `triggers` is false until the trigger step sets it (MessagesRepo.markTriggering). */
export type NewMessage = Omit<StoredMessage, 'seq' | 'triggers'> & { triggers?: boolean }

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
}
