import type { BudgetNoticesRepo } from '../../db/repos/budget-notices.ts'
import type { UsageRange, UsageRepo, UsageTotals } from '../../db/repos/usage.ts'
import type { Clock, TimerHandle } from '../../util/clock.ts'
import type { Logger } from '../../util/log.ts'
import { errorMessage } from '../errors.ts'
import type { EventBus } from '../events.ts'
import type { BudgetLimits, BudgetPolicy, Group, RunUsage, Task } from '../types.ts'
import { addUsage, ZERO_USAGE } from '../usage/sum.ts'
import { type BudgetLine, budgetLines, reachedText, WARN_FRACTION, warningText } from './limits.ts'

export type BudgetVerdict = 'ok' | 'hold' | 'drop'

export interface BudgetGateDeps {
  usage: Pick<UsageRepo, 'totals'>
  notices: BudgetNoticesRepo
  /** The global limits (config); read at each check. */
  global: () => BudgetLimits
  group: (folder: string) => Group | undefined
  /** The main group's chat, for the 80% warnings. */
  mainChat: () => string | undefined
  /** Sends a notice to a chat (stored like any bot message; it wakes no agent). */
  tell: (chatJid: string, text: string, group?: string) => Promise<unknown>
  /** Wake a held group's messages / a held task once the budget allows. */
  enqueue: (folder: string) => void
  enqueueTask: (task: Task) => void
  bus: EventBus
  clock: Clock
  log: Logger
  timezone: string
  /** How often held work is checked again (a reset at midnight, a budget raised elsewhere). */
  recheckMs?: number
}

export interface BudgetGate {
  /** Before a run (or a follow-up into a live one): may the group spend? Tells `chatJid` once if not. */
  check(group: Group, chatJid: string): BudgetVerdict
  /** Before a scheduled run: false holds the task until the budget allows. */
  admitTask(task: Task, group: Group): boolean
  /** The limits of a group and the global ones, as they stand (for the API and the Usage page). */
  lines(folder?: string): BudgetLine[]
  /** Looks at held work again now (after a budget changed). */
  recheck(): void
  start(): void
  stop(): void
}

/**
 * Budgets are checked before a run starts, never in the middle of one: a turn that crosses the
 * limit finishes and the overshoot shows. Live runs count with what they reported so far, so a
 * container taking follow-ups stops taking them once the budget is used.
 */
export function createBudgetGate(deps: BudgetGateDeps): BudgetGate {
  const { clock, timezone } = deps
  const log = deps.log.child({ component: 'budget' })
  const live = new Map<string, { group: string; usage: RunUsage }>()
  const heldGroups = new Set<string>()
  const heldTasks = new Map<string, Task>()
  let timer: TimerHandle | undefined
  let offs: Array<() => void> = []

  // Stored sums change only when a run finishes: once started (subscribed to run.finished), cache
  // them until then, so a check before every message and follow-up costs no query. The periodic
  // re-check clears it too (runs that `ngb run` recorded beside serve).
  const storedCache = new Map<string, UsageTotals>()
  let started = false
  const storedTotals = (range: UsageRange): UsageTotals => {
    if (!started) return deps.usage.totals(range)
    const key = `${range.from}|${range.to}|${range.groupFolder ?? ''}`
    let t = storedCache.get(key)
    if (!t) {
      t = deps.usage.totals(range)
      storedCache.set(key, t)
    }
    return t
  }
  const used = (range: UsageRange): UsageTotals => {
    const stored = storedTotals(range)
    let extra = ZERO_USAGE
    for (const r of live.values()) {
      if (range.groupFolder === undefined || r.group === range.groupFolder) extra = addUsage(extra, r.usage)
    }
    return { ...addUsage({ ...stored, model: undefined }, extra), runs: stored.runs }
  }

  const lines = (folder?: string): BudgetLine[] => {
    const now = clock.now()
    const global = budgetLines('global', deps.global(), now, timezone, used)
    if (folder === undefined) return global
    return [...budgetLines(folder, deps.group(folder)?.settings.budget, now, timezone, used), ...global]
  }

  const policyOf = (scope: string): BudgetPolicy =>
    (scope === 'global' ? deps.global().policy : deps.group(scope)?.settings.budget?.policy) ??
    deps.global().policy ??
    'hold'

  const send = (chatJid: string, text: string, group?: string) => {
    deps.tell(chatJid, text, group).catch((error: unknown) => {
      log.warn('a budget notice could not be sent', { chatJid, error: errorMessage(error) })
    })
  }

  /** One 80% warning per limit and period, to the main group's chat. */
  const warn = (ls: BudgetLine[]) => {
    for (const l of ls) {
      if (l.fraction < WARN_FRACTION) continue
      if (!deps.notices.once(`${l.scope}|${l.period}-${l.unit}`, l.key, 'warning', clock.now())) continue
      const chat = deps.mainChat()
      log.info('budget warning', { scope: l.scope, period: l.period, used: l.used, limit: l.limit })
      if (chat) send(chat, warningText(l))
    }
  }

  const reached = (ls: BudgetLine[]) => ls.find((l) => l.fraction >= 1)

  function check(group: Group, chatJid: string): BudgetVerdict {
    const ls = lines(group.folder)
    warn(ls)
    const over = reached(ls)
    if (!over) return 'ok'
    const policy = policyOf(over.scope)
    if (
      deps.notices.once(
        `${over.scope}|${over.period}-${over.unit}|${chatJid}`,
        over.key,
        'reached',
        clock.now(),
      )
    ) {
      log.info('budget reached: no agent starts', { group: group.folder, scope: over.scope, policy })
      send(chatJid, reachedText(over, timezone, policy), group.folder)
    }
    if (policy === 'hold') heldGroups.add(group.folder)
    return policy
  }

  function recheck() {
    for (const folder of [...heldGroups]) {
      const group = deps.group(folder)
      if (!group || !reached(lines(folder))) {
        heldGroups.delete(folder)
        if (group) {
          log.info('budget allows again: answering held messages', { group: folder })
          deps.enqueue(folder)
        }
      }
    }
    for (const [id, task] of [...heldTasks]) {
      const group = deps.group(task.groupFolder)
      if (!group || !reached(lines(task.groupFolder))) {
        heldTasks.delete(id)
        if (group) deps.enqueueTask(task)
      }
    }
  }

  return {
    check,
    admitTask(task, group) {
      // Tasks are held under either policy: a skipped scheduled run would be silently lost.
      if (check(group, task.chatJid) === 'ok') return true
      log.debug('task held by the budget', { group: group.folder, task: task.id })
      heldTasks.set(task.id, task)
      return false
    },
    lines,
    recheck,
    start() {
      offs = [
        deps.bus.on('run.activity', (e) => {
          const frame = e.frame
          if (frame.type === 'session' || !frame.usage) return
          const prev = live.get(e.runId)?.usage ?? ZERO_USAGE
          live.set(e.runId, { group: e.group, usage: addUsage(prev, frame.usage) })
          warn(lines(e.group))
        }),
        deps.bus.on('run.finished', (e) => {
          // The row now holds the run's usage; counting it live too would count it twice.
          live.delete(e.run.id)
          storedCache.clear()
        }),
        deps.bus.on('group.changed', (e) => {
          if (e.action === 'updated') recheck()
        }),
      ]
      const every = deps.recheckMs ?? 60_000
      started = true
      const tick = () => {
        storedCache.clear()
        recheck()
        timer = clock.setTimeout(tick, every)
      }
      timer = clock.setTimeout(tick, every)
    },
    stop() {
      started = false
      storedCache.clear()
      for (const off of offs) off()
      offs = []
      if (timer) clock.clearTimeout(timer)
      timer = undefined
    },
  }
}
