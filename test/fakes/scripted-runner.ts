import type { AgentRunner, TurnOutcome, TurnRequest } from '../../src/core/runner/types.ts'
import type { OutputFrame } from '../../src/protocol/container.ts'

export interface ScriptedTurn {
  frames: OutputFrame[]
  outcome?: Partial<TurnOutcome>
}

/** An AgentRunner that plays scripted frames; records every request and close(). */
export function createScriptedRunner(script: (req: TurnRequest, n: number) => ScriptedTurn): AgentRunner & {
  requests: TurnRequest[]
  closed: string[]
} {
  const requests: TurnRequest[] = []
  const closed: string[] = []
  return {
    requests,
    closed,
    start(req) {
      const n = requests.push(req)
      const runId = `run-${n}`
      const turn = script(req, n)
      const done = (async (): Promise<TurnOutcome> => {
        await Promise.resolve()
        for (const f of turn.frames) req.onFrame?.(f)
        const session = turn.frames.find((f) => f.type === 'session')
        return {
          runId,
          status: 'ok',
          results: turn.frames.flatMap((f) => (f.type === 'result' ? [f.text] : [])),
          sessionId: session?.type === 'session' ? session.sessionId : undefined,
          ...turn.outcome,
        }
      })()
      return {
        runId,
        containerName: `fake-${n}`,
        sendFollowUp: () => false,
        close: () => {
          closed.push(runId)
        },
        kill: async () => {},
        done,
      }
    },
  }
}
