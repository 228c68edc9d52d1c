import type { CreateGroupInput } from '../../core/groups.ts'
import type { NewTask } from '../../core/tasks.ts'
import type { BudgetLimits, ExtraMount, Group, Task, TaskRun } from '../../core/types.ts'
import type { UsageQuery, UsageReport } from '../../core/usage/report.ts'
import type { BindToken } from '../../db/repos/bind-tokens.ts'
import type { ChatWithBinding } from '../../db/repos/chats.ts'

export interface GroupRow extends Group {
  chats: string[]
}

/** The same fields as the core service takes. */
export type AddGroupInput = CreateGroupInput

/** Where results go (`chatJid`) defaults to the group's first bound chat, else its dashboard chat `web:<folder>`. */
export type AddTaskInput = Omit<NewTask, 'chatJid'> & { chatJid?: string }

/**
 * What the admin commands (groups, tasks, chats) need, answered either by the running server's
 * API or, when no server runs, by the core services over the database. Same rules either way:
 * both end in src/core/groups.ts and src/core/tasks.ts.
 */
export interface Admin {
  /** How this admin reaches the data, for messages: 'api <url>' or 'database <path>'. */
  readonly via: string
  listGroups(): Promise<GroupRow[]>
  addGroup(input: AddGroupInput): Promise<Group>
  removeGroup(folder: string, opts: { force?: boolean }): Promise<void>
  bind(folder: string, chatJid: string, opts: { move?: boolean }): Promise<void>
  unbind(chatJid: string): Promise<boolean>
  createBindToken(folder: string, ttlMs?: number): Promise<BindToken>
  listChats(opts: { unboundOnly?: boolean }): Promise<ChatWithBinding[]>
  listTasks(opts: { groupFolder?: string }): Promise<Task[]>
  addTask(input: AddTaskInput): Promise<Task>
  pauseTask(id: string): Promise<Task>
  resumeTask(id: string): Promise<Task>
  removeTask(id: string): Promise<Task>
  taskRuns(id: string, limit: number): Promise<TaskRun[]>
  /** Replaces the group's extra mounts (checked against the mount allowlist where it is saved). */
  setExtraMounts(folder: string, mounts: ExtraMount[]): Promise<Group>
  /** Replaces the group's budget (undefined removes it). */
  setBudget(folder: string, budget: BudgetLimits | undefined): Promise<Group>
  /** Tokens and cost summed over a time range (same sums as /api/usage). */
  usage(query: UsageQuery): Promise<UsageReport>
  /** Forgets the group's stored agent session; false when there was none. */
  resetSession(folder: string): Promise<boolean>
  close(): void
}
