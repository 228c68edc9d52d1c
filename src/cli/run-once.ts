import type { AgentRunner, TurnHandle, TurnOutcome, TurnRequest } from '../core/runner/types.ts'
import type { SessionsRepo } from '../db/repos/sessions.ts'

export interface RunOnceDeps {
  runner: AgentRunner
  sessions: Pick<SessionsRepo, 'get' | 'set' | 'clear'>
  now(): number
  /** Told when the stored session was rejected and the turn starts again fresh. */
  onFreshStart(): void
}

/**
 * One `ngb run` turn, resuming the group's stored session. If the provider rejects that session
 * (`session_invalid`, before any answer), the session is forgotten and the turn runs once more
 * fresh, as serve does (message-turn.ts); without this, every later `ngb run` failed the same way.
 * `onHandle` gets each attempt's handle (for Ctrl-C). The rejected attempt's error frame is not
 * passed on: it is not the user's failure.
 */
export async function runOnce(
  deps: RunOnceDeps,
  req: Omit<TurnRequest, 'sessionId'>,
  onHandle: (handle: TurnHandle) => void,
): Promise<TurnOutcome> {
  const folder = req.group.folder
  let sessionId = deps.sessions.get(folder)
  for (;;) {
    const resuming = sessionId !== undefined
    const handle = deps.runner.start({
      ...req,
      sessionId,
      onFrame: (frame) => {
        if (resuming && frame.type === 'error' && frame.kind === 'session_invalid') return
        req.onFrame?.(frame)
      },
    })
    // One turn: the agent answers the prompt, then sees `_close` and exits.
    handle.close()
    onHandle(handle)
    const outcome = await handle.done
    if (resuming && outcome.errorKind === 'session_invalid' && outcome.results.length === 0) {
      deps.sessions.clear(folder)
      deps.onFreshStart()
      sessionId = undefined
      continue
    }
    if (outcome.sessionId) deps.sessions.set(folder, outcome.sessionId, deps.now())
    return outcome
  }
}
