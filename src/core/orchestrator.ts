import type { Repos } from '../db/repos/index.ts'
import type { PluginHost } from '../plugins/host.ts'
import type { Clock } from '../util/clock.ts'
import type { Logger } from '../util/log.ts'
import { createReceiveAttachments } from './attachments/receive.ts'
import { createAttachmentStore } from './attachments/store.ts'
import type { Transcriber } from './attachments/transcribe.ts'
import type { BudgetGate } from './budget/gate.ts'
import type { ChannelRegistry } from './channel/registry.ts'
import { createChatCommandParser, createChatCommands } from './chat-commands.ts'
import type { AgentImage } from './container/image-watch.ts'
import { errorMessage } from './errors.ts'
import type { EventBus } from './events.ts'
import type { GroupsService } from './groups.ts'
import { createInbound, type Inbound } from './inbound.ts'
import type { WriteSnapshots } from './ipc/snapshots.ts'
import type { Outbound } from './outbound/deliver.ts'
import { createGroupQueue, type GroupQueue, type RunTask } from './queue/group-queue.ts'
import { createMessageTurns } from './queue/message-turn.ts'
import type { AgentRunner } from './runner/types.ts'
import { createTriggerChecker } from './trigger.ts'

export interface OrchestratorConfig {
  assistantName: string
  maxConcurrent: number
  retryBaseMs: number
  maxRetries: number
  /** Files users send (docs/attachments.md). */
  attachmentMaxBytes?: number
  attachmentQuotaBytes?: number
}

export interface OrchestratorDeps {
  config: OrchestratorConfig
  repos: Pick<Repos, 'messages' | 'chats' | 'cursors' | 'sessions' | 'runs' | 'replyProgress'>
  groups: GroupsService
  /** Connected to the inbound step by start(), disconnected by stop(). */
  channels: Pick<ChannelRegistry, 'connectAll' | 'disconnectAll'>
  plugins: PluginHost
  /** Delivery to the chats (core/outbound/deliver.ts): replies, notices, plugin replies. */
  outbound: Outbound
  runner: AgentRunner
  /** Held before each message turn while the agent image is missing (serve). */
  agentImage?: AgentImage
  /** Before every message run; task runs call the same writer (core/scheduler/run-task.ts). */
  writeSnapshots: WriteSnapshots
  bus: EventBus
  clock: Clock
  log: Logger
  /** Removes containers a previous ngb of this install left running; returns how many. */
  removeOrphans(): Promise<number>
  /** Runs a scheduled task holding a queue slot (core/scheduler/run-task.ts). */
  runTask: RunTask
  /** Groups hot-path writes into one commit (`db.transaction(fn).immediate()`). */
  transaction?: <T>(fn: () => T) => T
  /** Shown by the `/help` and `/status` chat commands. */
  version?: string
  /** Spending limits checked before each message run (core/budget/gate.ts). */
  budget?: Pick<BudgetGate, 'check'>
  /** Root of the group workspaces: received files are stored there. Without it files are ignored. */
  groupsDir?: string
  transcriber?: Transcriber
}

export interface Orchestrator {
  inbound: Inbound
  queue: GroupQueue
  /** Clean up after a crash, connect the channels, re-enqueue unanswered messages. */
  start(): Promise<void>
  /** Stop intake, let turns and deliveries finish (bounded), disconnect channels. */
  stop(deadlineMs?: number): Promise<void>
}

export function createOrchestrator(deps: OrchestratorDeps): Orchestrator {
  const { repos, log, clock, config } = deps
  const trigger = createTriggerChecker(config.assistantName, log.child({ component: 'trigger' }))
  const { outbound } = deps
  const parseCommand = createChatCommandParser(config.assistantName)
  const turns = createMessageTurns({
    messages: repos.messages,
    chats: repos.chats,
    cursors: repos.cursors,
    sessions: repos.sessions,
    groups: deps.groups,
    runner: deps.runner,
    writeSnapshots: deps.writeSnapshots,
    agentImage: deps.agentImage,
    isChatCommand: (text) => parseCommand(text) !== undefined,
    outbound,
    plugins: deps.plugins,
    clock,
    log: log.child({ component: 'turn' }),
    budget: deps.budget,
  })
  const queue = createGroupQueue({
    maxConcurrent: config.maxConcurrent,
    retryBaseMs: config.retryBaseMs,
    maxRetries: config.maxRetries,
    clock,
    log: log.child({ component: 'queue' }),
    runMessages: turns.runMessages,
    runTask: deps.runTask,
    onGiveUp(folder, failure) {
      const text =
        `Sorry, I could not answer: the agent failed ${failure.attempts} times (${failure.error}). ` +
        'Your messages are kept; send another message to try again.'
      if (!failure.chatJid) return
      outbound.deliver({ chatJid: failure.chatJid, text, group: folder }).catch((error: unknown) => {
        log.error('failure notice not delivered', { group: folder, error: errorMessage(error) })
      })
    },
  })
  const chatCommands = createChatCommands({
    assistantName: config.assistantName,
    version: deps.version ?? 'dev',
    groupOfChat: (jid) => deps.groups.groupOfChat(jid),
    groupActivity(folder) {
      const g = queue.snapshot().groups.find((x) => x.folder === folder)
      if (g?.active) return 'running'
      return g?.pendingMessages || g?.pendingTasks ? 'queued' : 'idle'
    },
  })
  // Until start() has cleaned up after a crash, messages are stored but not run: a container started
  // now would be taken for an orphan, and start() enqueues every group with unanswered messages anyway.
  let started = false
  const attachments = deps.groupsDir
    ? createReceiveAttachments({
        store: createAttachmentStore({
          groupsDir: deps.groupsDir,
          maxBytes: config.attachmentMaxBytes ?? 20 * 1024 * 1024,
          quotaBytes: config.attachmentQuotaBytes ?? 1024 ** 3,
          clock,
        }),
        outbound,
        transcriber: deps.transcriber,
        groupsDir: deps.groupsDir,
        log,
      })
    : undefined
  const inbound = createInbound({
    attachments,
    assistantName: config.assistantName,
    chatCommands,
    messages: repos.messages,
    chats: repos.chats,
    groups: deps.groups,
    plugins: deps.plugins,
    trigger,
    queue: {
      enqueue(folder) {
        if (started) queue.enqueue(folder)
      },
    },
    outbound,
    bus: deps.bus,
    clock,
    log: log.child({ component: 'inbound' }),
    transaction: deps.transaction,
  })

  // A deleted group's containers stop at once and nothing more of it is run or delivered.
  let offGroupChanged: (() => void) | undefined
  async function dropGroup(folder: string) {
    try {
      await Promise.all([queue.dropGroup(folder), deps.runner.killGroup?.(folder)])
      log.info('group deleted: its containers were stopped', { group: folder })
    } catch (error) {
      log.error('could not stop the containers of a deleted group', {
        group: folder,
        error: errorMessage(error),
      })
    }
  }

  return {
    inbound,
    queue,
    async start() {
      offGroupChanged ??= deps.bus.on('group.changed', (e) => {
        if (e.action === 'removed') void dropGroup(e.group)
      })
      try {
        const removed = await deps.removeOrphans()
        if (removed > 0) log.info('removed containers left by a previous run', { count: removed })
      } catch (error) {
        log.warn('could not remove orphan containers', { error: errorMessage(error) })
      }
      const now = clock.now()
      const stale = repos.runs.closeStale(now)
      const rolledBack = repos.cursors.recoverInflight(now)
      if (stale > 0 || rolledBack.length > 0) {
        log.info('recovered from an unclean stop', { staleRuns: stale, unansweredGroups: rolledBack })
      }
      await deps.channels.connectAll(async (message) => {
        await inbound.handle(message)
      })
      started = true
      for (const group of deps.groups.list()) {
        const chats = repos.chats.chatsOf(group.folder)
        if (repos.messages.since(chats, repos.cursors.get(group.folder), 1).length > 0)
          queue.enqueue(group.folder)
      }
    },
    async stop(deadlineMs = 10_000) {
      offGroupChanged?.()
      offGroupChanged = undefined
      inbound.stop()
      const started = clock.now()
      await queue.stop(deadlineMs)
      const left = Math.max(500, deadlineMs - (clock.now() - started))
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([
        outbound.idle(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, left)
        }),
      ])
      clearTimeout(timer)
      await deps.channels.disconnectAll()
    },
  }
}
