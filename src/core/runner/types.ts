import type { AttachmentRef } from '../../protocol/attachments.ts'
import type { OutputFrame } from '../../protocol/container.ts'
import type { Group, RunTrigger, RunUsage } from '../types.ts'

export interface TurnRequest {
  group: Group
  prompt: string
  chatJid: string
  trigger: RunTrigger
  /** Resume this agent session; undefined starts a new one. */
  sessionId?: string
  isScheduledTask?: boolean
  /** The scheduled task this run is for (usage is summed per task). */
  taskId?: string
  /** Called for every frame as it streams (results, session, activity, errors), in order. */
  onFrame?: (frame: OutputFrame) => void
  /** Overrides for this turn (tests, `ngb run --timeout/--provider/--image`). */
  timeoutMs?: number
  provider?: 'claude' | 'mock'
  image?: string
  /** Extra environment for the agent's tools; sent on stdin only, never as `docker -e`. */
  env?: Record<string, string>
  /** Files the prompt's messages carry (container paths); images become image blocks. */
  attachments?: AttachmentRef[]
}

export interface TurnOutcome {
  runId: string
  status: 'ok' | 'error' | 'timeout'
  exitCode?: number
  /** The session id the agent reported (new or resumed). */
  sessionId?: string
  results: string[]
  error?: string
  errorKind?: string
  /** What the run cost, summed over its turns (runners that cannot tell leave it out). */
  usage?: RunUsage
}

/** A live agent turn: one container, which takes follow-ups until it is closed or goes idle. */
export interface TurnHandle {
  runId: string
  containerName: string
  /** Writes a follow-up input file into the live container; false if it already finished. */
  sendFollowUp(text: string, attachments?: AttachmentRef[]): boolean
  /** Asks the agent to finish (writes `_close`). */
  close(): void
  /**
   * Stops the current turn but keeps the container and session (writes `_interrupt`); false when
   * the turn has already finished or this runner cannot interrupt in place.
   */
  interrupt?(): boolean
  /** Stops the container now (docker stop, then kill). */
  kill(): Promise<void>
  done: Promise<TurnOutcome>
}

export interface AgentRunner {
  start(req: TurnRequest): TurnHandle
  /** Stops every container this runner started for the group (message and task runs alike). */
  killGroup?(folder: string): Promise<void>
}
