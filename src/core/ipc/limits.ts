import type { Clock } from '../../util/clock.ts'
import type { Logger } from '../../util/log.ts'

/**
 * Per-group caps on what an agent may make the host do through IPC. The agent is untrusted (a
 * prompt-injected agent could otherwise flood a chat or the scheduler), so over a cap the action
 * is refused, logged and counted, and the main group's chat is told once per group and kind.
 */
export type LimitKind = 'messages_per_minute' | 'tasks' | 'ipc_bytes'

export interface AgentLimitsOptions {
  messagesPerMinute: number
  maxTasks: number
  ipcMaxBytes: number
}

export interface AgentLimitsDeps extends AgentLimitsOptions {
  clock: Pick<Clock, 'now'>
  log: Logger
  /** Tasks (active or paused) a group has now. */
  taskCount: (folder: string) => number
  /** Tells the admin in the main group's chat; never throws. */
  tellMain: (text: string) => void
}

export type LimitDecision = { allowed: true } | { allowed: false; reason: string }

export interface AgentLimits {
  readonly ipcMaxBytes: number
  /** One message about to be sent for `folder`: counted against the per-minute window when allowed. */
  message(folder: string): LimitDecision
  /** One task about to be created for `folder`. */
  task(folder: string): LimitDecision
  /** Records a refusal of kind `kind` (the IPC watcher calls it for the size cap). */
  exceeded(folder: string, kind: LimitKind, reason: string): LimitDecision
  /** Refusals since start, per group and kind. */
  counts(): Array<{ group: string; kind: LimitKind; refused: number }>
}

const WINDOW_MS = 60_000

export function createAgentLimits(deps: AgentLimitsDeps): AgentLimits {
  const log = deps.log.child({ component: 'limits' })
  const sent = new Map<string, number[]>()
  const refused = new Map<string, number>()
  const told = new Set<string>()

  function exceeded(folder: string, kind: LimitKind, reason: string): LimitDecision {
    const key = `${folder}\u0000${kind}`
    const n = (refused.get(key) ?? 0) + 1
    refused.set(key, n)
    log.warn('agent limit reached: action refused', { group: folder, kind, reason, refused: n })
    if (!told.has(key)) {
      told.add(key)
      deps.tellMain(
        `Group "${folder}" hit a limit (${reason}); its agent's further actions of this kind are refused. ` +
          'See the log for details; the limits are NGB_AGENT_MESSAGES_PER_MINUTE, NGB_AGENT_MAX_TASKS and NGB_AGENT_IPC_MAX_BYTES.',
      )
    }
    return { allowed: false, reason }
  }

  return {
    ipcMaxBytes: deps.ipcMaxBytes,
    message(folder) {
      const now = deps.clock.now()
      const recent = (sent.get(folder) ?? []).filter((t) => now - t < WINDOW_MS)
      if (recent.length >= deps.messagesPerMinute) {
        sent.set(folder, recent)
        return exceeded(
          folder,
          'messages_per_minute',
          `more than ${deps.messagesPerMinute} messages a minute`,
        )
      }
      recent.push(now)
      sent.set(folder, recent)
      return { allowed: true }
    },
    task(folder) {
      if (deps.taskCount(folder) >= deps.maxTasks)
        return exceeded(folder, 'tasks', `more than ${deps.maxTasks} scheduled tasks`)
      return { allowed: true }
    },
    exceeded,
    counts: () =>
      [...refused].map(([key, n]) => {
        const [group = '', kind] = key.split('\u0000')
        return { group, kind: kind as LimitKind, refused: n }
      }),
  }
}
