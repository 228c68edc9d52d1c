import type { Clock, TimerHandle } from '../../util/clock.ts'

export interface TurnTimerOptions {
  clock: Clock
  /** Ask the agent to finish (write `_close`) this long after the last sign of life. */
  idleMs: number
  /** Stop the container this long after its last output. */
  hardMs: number
  onIdle(): void
  onHard(): void
}

/**
 * The one timer of an agent turn, whatever started it (chat message, task, `ngb run`, session).
 * The reset rule: output re-arms both deadlines; input (a follow-up) re-arms only the idle one,
 * because only output proves the agent is alive. Both are armed when the timer is created.
 */
export interface TurnTimer {
  /** The agent wrote a frame. */
  output(): void
  /** The host sent the agent a follow-up. */
  input(): void
  /** The turn is over: no deadline fires after this. */
  stop(): void
}

export function createTurnTimer(opts: TurnTimerOptions): TurnTimer {
  const { clock } = opts
  let stopped = false
  let idle: TimerHandle | undefined
  let hard: TimerHandle | undefined
  const armIdle = () => {
    if (idle) clock.clearTimeout(idle)
    idle = clock.setTimeout(opts.onIdle, opts.idleMs)
  }
  const armHard = () => {
    if (hard) clock.clearTimeout(hard)
    hard = clock.setTimeout(opts.onHard, opts.hardMs)
  }
  armIdle()
  armHard()
  return {
    output() {
      if (stopped) return
      armIdle()
      armHard()
    },
    input() {
      if (!stopped) armIdle()
    },
    stop() {
      stopped = true
      if (idle) clock.clearTimeout(idle)
      if (hard) clock.clearTimeout(hard)
    },
  }
}
