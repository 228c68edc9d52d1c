import type { EventBus } from '../../src/core/events.ts'
import type { AgentRunner, TurnHandle, TurnOutcome, TurnRequest } from '../../src/core/runner/types.ts'
import type { OutputFrame } from '../../src/protocol/container.ts'

export interface FakeTurn {
  req: TurnRequest
  runId: string
  followUps: string[]
  closed: boolean
  killed: boolean
  finished: boolean
  emit(frame: OutputFrame): void
  result(text: string): void
  finish(outcome?: Partial<TurnOutcome>): void
  done: Promise<TurnOutcome>
}

/** What a scripted turn plays: its frames, then an outcome merged over the usual one. */
export interface ScriptedTurn {
  frames: OutputFrame[]
  outcome?: Partial<TurnOutcome>
}

export interface FakeRunner extends AgentRunner {
  /** Like the real runner, run.started/run.finished are published here when set. */
  bus?: EventBus
  turns: FakeTurn[]
  /** Every request, in start order. */
  requests: TurnRequest[]
  /** The run id of every close() call, in order (a turn closed twice appears twice). */
  closed: string[]
  /** Resolves when `n` turns have started. */
  waitForTurns(n: number, timeoutMs?: number): Promise<FakeTurn[]>
  live(): FakeTurn[]
}

/**
 * The one in-process AgentRunner for unit tests: each start() is a turn the test drives by hand, or
 * by `behaviour`: `onStart`/`onFollowUp` are called on start and on every follow-up; `script` is
 * called synchronously in start() (so it may move a manual clock) and its frames are played, then
 * the turn finishes with its outcome, as a container that answers once and exits.
 */
export function createFakeRunner(behaviour?: {
  onStart?: (turn: FakeTurn) => void
  onFollowUp?: (turn: FakeTurn, text: string) => void
  script?: (req: TurnRequest, n: number) => ScriptedTurn
}): FakeRunner {
  const turns: FakeTurn[] = []
  const requests: TurnRequest[] = []
  const closed: string[] = []
  const waiters: Array<{ n: number; resolve: () => void }> = []
  let counter = 0
  const runner: FakeRunner = {
    turns,
    requests,
    closed,
    live: () => turns.filter((t) => !t.finished),
    start(req): TurnHandle {
      const runId = `run-${++counter}`
      requests.push(req)
      const scripted = behaviour?.script?.(req, counter)
      const results: string[] = []
      let resolveDone: (o: TurnOutcome) => void = () => {}
      const done = new Promise<TurnOutcome>((r) => {
        resolveDone = r
      })
      const turn: FakeTurn = {
        req,
        runId,
        followUps: [],
        closed: false,
        killed: false,
        finished: false,
        emit(frame) {
          if (frame.type === 'result') results.push(frame.text)
          req.onFrame?.(frame)
        },
        result(text) {
          turn.emit({ type: 'result', text })
        },
        finish(outcome = {}) {
          if (turn.finished) return
          turn.finished = true
          const final: TurnOutcome = { runId, status: 'ok', results, ...outcome }
          runner.bus?.publish({
            type: 'run.finished',
            group: req.group.folder,
            run: { ...run, status: final.status, finishedAt: Date.now(), error: final.error },
          })
          resolveDone(final)
        },
        done,
      }
      const run = {
        id: runId,
        groupFolder: req.group.folder,
        trigger: req.trigger,
        startedAt: Date.now(),
        status: 'running' as const,
        bytesOut: 0,
      }
      runner.bus?.publish({ type: 'run.started', group: req.group.folder, run })
      turns.push(turn)
      for (const w of [...waiters]) if (turns.length >= w.n) w.resolve()
      queueMicrotask(() => {
        behaviour?.onStart?.(turn)
        if (!scripted) return
        for (const frame of scripted.frames) turn.emit(frame)
        // Like the real runner, a scripted turn reports the session its frames announced.
        const session = scripted.frames.findLast((f) => f.type === 'session')
        turn.finish({
          sessionId: session?.type === 'session' ? session.sessionId : undefined,
          ...scripted.outcome,
        })
      })
      return {
        runId,
        containerName: `fake-${req.group.folder}-${counter}`,
        sendFollowUp(text) {
          if (turn.finished || turn.closed) return false
          turn.followUps.push(text)
          queueMicrotask(() => behaviour?.onFollowUp?.(turn, text))
          return true
        },
        close() {
          closed.push(runId)
          turn.closed = true
          queueMicrotask(() => turn.finish())
        },
        async kill() {
          turn.killed = true
          turn.finish({ status: 'error', error: 'killed' })
        },
        done,
      }
    },
    waitForTurns(n, timeoutMs = 5000) {
      if (turns.length >= n) return Promise.resolve(turns.slice(0, n))
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${turns.length} of ${n} turns started`)),
          timeoutMs,
        )
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer)
            resolve(turns.slice(0, n))
          },
        })
      })
    },
  }
  return runner
}

/** The last `<message>` body of a prompt, unescaped enough for tests. */
export function lastMessageText(prompt: string): string {
  const all = [...prompt.matchAll(/<message [^>]*>([\s\S]*?)<\/message>/g)]
  return all.at(-1)?.[1] ?? prompt
}
