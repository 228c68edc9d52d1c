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

export interface FakeRunner extends AgentRunner {
  /** Like the real runner, run.started/run.finished are published here when set. */
  bus?: EventBus
  turns: FakeTurn[]
  /** Resolves when `n` turns have started. */
  waitForTurns(n: number, timeoutMs?: number): Promise<FakeTurn[]>
  live(): FakeTurn[]
}

/**
 * An in-process AgentRunner for unit tests: each start() is a turn the test drives by hand, or by
 * `behaviour` (called on start and on every follow-up).
 */
export function createFakeRunner(behaviour?: {
  onStart?: (turn: FakeTurn) => void
  onFollowUp?: (turn: FakeTurn, text: string) => void
}): FakeRunner {
  const turns: FakeTurn[] = []
  const waiters: Array<{ n: number; resolve: () => void }> = []
  let counter = 0
  const runner: FakeRunner = {
    turns,
    live: () => turns.filter((t) => !t.finished),
    start(req): TurnHandle {
      const runId = `fake-${++counter}`
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
      queueMicrotask(() => behaviour?.onStart?.(turn))
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
