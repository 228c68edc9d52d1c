import type { ChatsRepo } from '../../db/repos/chats.ts'
import type { CursorsRepo } from '../../db/repos/cursors.ts'
import type { MessagesRepo } from '../../db/repos/messages.ts'
import type { SessionsRepo } from '../../db/repos/sessions.ts'
import type { PluginHost } from '../../plugins/host.ts'
import type { OutputFrame } from '../../protocol/container.ts'
import type { Clock } from '../../util/clock.ts'
import type { Logger } from '../../util/log.ts'
import { toAttachmentRef } from '../attachments/store.ts'
import type { BudgetGate } from '../budget/gate.ts'
import type { AgentImage } from '../container/image-watch.ts'
import { errorMessage } from '../errors.ts'
import type { GroupsService } from '../groups.ts'
import type { WriteSnapshots } from '../ipc/snapshots.ts'
import { parseJid } from '../jid.ts'
import type { Outbound } from '../outbound/deliver.ts'
import { formatPrompt } from '../prompt.ts'
import type { AgentRunner, TurnHandle, TurnOutcome } from '../runner/types.ts'
import type { Group, RunTrigger, StoredMessage } from '../types.ts'
import type { MessageTurnResult, TurnControl } from './group-queue.ts'

export interface MessageTurnDeps {
  messages: Pick<MessagesRepo, 'since'>
  chats: Pick<ChatsRepo, 'chatsOf'>
  cursors: Pick<CursorsRepo, 'get' | 'set' | 'begin' | 'settle' | 'rollback'>
  sessions: Pick<SessionsRepo, 'get' | 'set' | 'clear'>
  groups: Pick<GroupsService, 'get'>
  runner: AgentRunner
  /** Before every container start: the agent's view of tasks and groups (core/ipc/snapshots.ts). */
  writeSnapshots: WriteSnapshots
  /** Before a turn reads its messages: the agent image exists (serve holds turns while it is missing). */
  agentImage?: AgentImage
  /** Chat commands ngb answers itself (core/chat-commands.ts); left out of the agent's prompt. */
  isChatCommand?: (text: string) => boolean
  outbound: Outbound
  plugins: Pick<PluginHost, 'chain' | 'has' | 'notify'>
  clock: Clock
  log: Logger
  /** Most messages handed to one prompt; older backlog follows in the next turn. */
  batchLimit?: number
  /** Spending limits, checked before a run starts and before a follow-up joins a live one. */
  budget?: Pick<BudgetGate, 'check'>
}

interface Batch {
  messages: StoredMessage[]
  lastSeq: number
  replyJid: string
}

const attachmentsOf = (batch: Batch) =>
  batch.messages.flatMap((m) => m.attachments ?? []).map(toAttachmentRef)

const replyJidOf = (m: StoredMessage) => (m.threadId ? `${m.chatJid}#${m.threadId}` : m.chatJid)

function triggerOf(jid: string): RunTrigger {
  const platform = parseJid(jid).platform
  return platform === 'web' ? 'web' : platform === 'cli' ? 'cli' : 'message'
}

/**
 * One message turn for a group: the messages since its cursor become the prompt, replies stream back
 * and are delivered in order, and the cursor discipline keeps every message answered exactly once:
 * the cursor moves before the run, with a roll-back point that is dropped as soon as output reaches
 * the user (a crash before that leaves the point set, and start-up rolls back).
 */
export function createMessageTurns(deps: MessageTurnDeps) {
  const { log, clock, cursors } = deps
  const limit = deps.batchLimit ?? 200

  /** New messages after `afterSeq` for the group, if at least one of them should wake the agent. */
  function nextBatch(group: Group, afterSeq: number): Batch | undefined {
    const chats = deps.chats.chatsOf(group.folder)
    const all = deps.messages.since(chats, afterSeq, limit)
    // `/help` and `/status` were answered by ngb itself: they are not the agent's conversation.
    const fromUsers = all.filter((m) => !m.fromBot && !deps.isChatCommand?.(m.text))
    // Decided once per message by the inbound trigger step (core/inbound.ts).
    const last = fromUsers.findLast((m) => m.triggers)
    const lastSeq = all.at(-1)?.seq
    if (!last || lastSeq === undefined) return undefined
    return { messages: fromUsers, lastSeq, replyJid: replyJidOf(last) }
  }

  async function runMessages(folder: string, control: TurnControl): Promise<MessageTurnResult> {
    // Waiting here, before the batch is read, lets messages that arrive meanwhile join this prompt.
    await deps.agentImage?.ready()
    const group = deps.groups.get(folder)
    if (!group) return { status: 'skipped' }
    const start = cursors.get(folder)
    const batch = nextBatch(group, start)
    if (!batch) return { status: 'skipped' }
    const verdict = deps.budget?.check(group, batch.replyJid) ?? 'ok'
    if (verdict !== 'ok') {
      // Held: the messages stay after the cursor and are answered when the budget allows.
      // Dropped (the owner's policy): the cursor moves past them, as if answered.
      if (verdict === 'drop') cursors.set(folder, batch.lastSeq, clock.now())
      return { status: 'skipped' }
    }
    let prompt = formatPrompt(batch.messages)
    if (deps.plugins.has('onBeforeRun')) {
      const req = await deps.plugins.chain('onBeforeRun', { group, chatJid: batch.replyJid, prompt })
      if (req === null) {
        cursors.set(folder, batch.lastSeq, clock.now())
        log.info('run cancelled by a plugin', { group: folder })
        return { status: 'skipped' }
      }
      prompt = req.prompt
    }
    cursors.begin(folder, start, batch.lastSeq, clock.now())

    let freshSession = false
    let current = batch
    for (;;) {
      const sessionId = freshSession ? undefined : deps.sessions.get(folder)
      const turn = await runContainer(group, prompt, current, sessionId, control)
      // Deleted meanwhile: its cursor and session went with it; nothing to settle or retry.
      if (!deps.groups.get(folder)) return { status: 'skipped' }
      const { outcome } = turn
      if (outcome.status === 'ok') {
        if (turn.unansweredFollowUp) {
          // The container ended before answering the last follow-up: hand it to the next turn.
          cursors.rollback(folder, clock.now())
          return { status: 'ok', again: true }
        }
        cursors.settle(folder, clock.now())
        return { status: 'ok' }
      }
      const error = outcome.error ?? `agent run ${outcome.status}`
      if (outcome.errorKind === 'session_invalid' && !freshSession && !turn.answered) {
        log.warn('the agent rejected the stored session; starting a fresh one', { group: folder })
        deps.sessions.clear(folder)
        freshSession = true
        // Follow-ups may have gone into the rejected container too: start again from the same cursor.
        cursors.rollback(folder, clock.now())
        const again = nextBatch(group, start)
        if (!again) return { status: 'skipped' }
        current = again
        prompt = formatPrompt(again.messages)
        cursors.begin(folder, start, again.lastSeq, clock.now())
        continue
      }
      // Output already reached the user for this batch: keep the cursor, or the retry would repeat it.
      if (!cursors.rollback(folder, clock.now())) return { status: 'ok' }
      return { status: 'failed', error, chatJid: turn.replyJid }
    }
  }

  async function runContainer(
    group: Group,
    prompt: string,
    batch: Batch,
    sessionId: string | undefined,
    control: TurnControl,
  ): Promise<{ outcome: TurnOutcome; answered: boolean; unansweredFollowUp: boolean; replyJid: string }> {
    const folder = group.folder
    let replyJid = batch.replyJid
    let cursor = batch.lastSeq
    let answered = false
    let awaitingAnswer = true
    /** Cursor before the oldest follow-up no result has come back for yet. */
    let unansweredFrom: number | undefined
    let closing = false
    let closeRequested = false
    let deliveries: Promise<void> = Promise.resolve()
    /** Why a reply of this run did not (fully) reach the chat; the turn is then retried. */
    let undelivered: string | undefined
    let stopTyping = deps.outbound.startTyping(replyJid)
    let handle: TurnHandle | undefined

    const close = () => {
      if (closing) return
      closing = true
      handle?.close()
    }

    const onFrame = (frame: OutputFrame) => {
      if (!handle) return
      switch (frame.type) {
        case 'result': {
          awaitingAnswer = false
          unansweredFrom = undefined
          stopTyping()
          const target = replyJid
          deliveries = deliveries.then(async () => {
            try {
              const r = await deps.outbound.deliver({ chatJid: target, text: frame.text, group: folder })
              if (r.sent && !answered) {
                answered = true
              }
              if (r.sent) {
                cursors.settle(folder, clock.now())
                // A follow-up sent after this result is still unanswered: keep its roll-back point.
                if (unansweredFrom !== undefined) cursors.begin(folder, unansweredFrom, cursor, clock.now())
              }
            } catch (error) {
              undelivered ??= errorMessage(error)
              log.error('reply not delivered', { group: folder, chatJid: target, error: errorMessage(error) })
            }
          })
          // An idle container is closed by the runner's turn timer (core/runner/turn-timer.ts).
          if (closeRequested) close()
          return
        }
        case 'session':
          deps.sessions.set(folder, frame.sessionId, clock.now())
          return
        default:
          // Activity and errors reach the bus from the runner (run.activity); nothing to do here.
          return
      }
    }

    let outcome: TurnOutcome
    try {
      deps.writeSnapshots(group)
      handle = deps.runner.start({
        group,
        prompt,
        chatJid: replyJid,
        trigger: triggerOf(replyJid),
        sessionId,
        attachments: attachmentsOf(batch),
        onFrame: (frame) => onFrame(frame),
      })
      const live = handle
      control.setLive({
        followUp() {
          if (closing) return false
          const next = nextBatch(group, cursor)
          if (!next) return true
          // Over budget: no new turn in this container. The queue keeps the messages pending and
          // runs them once this run ended, where the budget check holds them and tells the chat.
          if ((deps.budget?.check(group, next.replyJid) ?? 'ok') !== 'ok') {
            close()
            return false
          }
          if (!live.sendFollowUp(formatPrompt(next.messages), attachmentsOf(next))) return false
          cursors.begin(folder, cursor, next.lastSeq, clock.now())
          unansweredFrom ??= cursor
          cursor = next.lastSeq
          replyJid = next.replyJid
          awaitingAnswer = true
          stopTyping()
          stopTyping = deps.outbound.startTyping(replyJid)
          return true
        },
        closeWhenIdle() {
          closeRequested = true
          if (!awaitingAnswer) close()
        },
        kill: () => live.kill(),
      })
      outcome = await live.done
    } catch (error) {
      outcome = {
        runId: handle?.runId ?? '',
        status: 'error',
        results: [],
        error: errorMessage(error),
        errorKind: 'internal',
      }
    } finally {
      control.setLive(undefined)
      stopTyping()
    }
    await deliveries
    if (outcome.status === 'ok' && outcome.sessionId)
      deps.sessions.set(folder, outcome.sessionId, clock.now())
    void deps.plugins.notify('onAfterRun', {
      group: folder,
      runId: outcome.runId,
      status: outcome.status,
      results: outcome.results.length,
    })
    // A reply that did not reach the chat fails the turn, so it is retried; delivery resumes after
    // the chunks that did arrive (outbound keeps the progress), so nothing is sent twice.
    if (undelivered !== undefined && outcome.status === 'ok')
      outcome = { ...outcome, status: 'error', error: `the reply was not delivered: ${undelivered}` }
    return { outcome, answered, unansweredFollowUp: unansweredFrom !== undefined, replyJid }
  }

  return { runMessages }
}
