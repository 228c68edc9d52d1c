import type { AgentRunner, TurnHandle, TurnOutcome, TurnRequest } from '../../src/core/runner/types.ts'

export interface FakeTurn {
  req: TurnRequest
  followUps: string[]
  closed: boolean
  killed: boolean
  handle: TurnHandle
  /** Ends the container as if it exited on its own (idle timeout, crash). */
  end(outcome?: Partial<TurnOutcome>): void
}

/**
 * An AgentRunner that behaves like the mock agent in one container: each message (the prompt, then
 * each follow-up) is answered with `mock: <text>`, except `/sleep` which never answers (until killed).
 */
export function createFakeRunner(): AgentRunner & { turns: FakeTurn[] } {
  const turns: FakeTurn[] = []
  let n = 0
  return {
    turns,
    start(req) {
      n++
      const runId = `run-${n}`
      const sessionId = req.sessionId ?? `session-${n}`
      let resolveDone: (o: TurnOutcome) => void = () => {}
      const done = new Promise<TurnOutcome>((r) => {
        resolveDone = r
      })
      let finished = false
      const results: string[] = []
      const answer = (text: string) => {
        if (text.startsWith('/sleep')) return
        queueMicrotask(() => {
          if (finished) return
          results.push(`mock: ${text}`)
          req.onFrame?.({ type: 'result', text: `mock: ${text}` })
        })
      }
      const end = (o: Partial<TurnOutcome> = {}) => {
        if (finished) return
        finished = true
        resolveDone({ runId, status: 'ok', sessionId, results, ...o })
      }
      const turn: FakeTurn = {
        req,
        followUps: [],
        closed: false,
        killed: false,
        end,
        handle: {
          runId,
          containerName: `ngb-${req.group.folder}-${n}`,
          sendFollowUp(text) {
            if (finished || turn.closed) return false
            turn.followUps.push(text)
            answer(text)
            return true
          },
          close() {
            turn.closed = true
            queueMicrotask(() => end())
          },
          async kill() {
            turn.killed = true
            end({ status: 'error', error: 'killed' })
          },
          done,
        },
      }
      turns.push(turn)
      queueMicrotask(() => req.onFrame?.({ type: 'session', sessionId }))
      answer(req.prompt)
      return turn.handle
    },
  }
}
