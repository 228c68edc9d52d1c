import { ChannelError, errorMessage } from '../../core/errors.ts'
import type { ProbeResult } from '../platforms.ts'

export interface ProbeHints {
  /** What to fix when the platform refused the credentials. */
  refused: string
  /** What to check when the platform could not be reached. */
  unreachable: string
  /** Names the platform in the timeout message ("<platform> did not answer within 5 s"). */
  platform?: string
}

/**
 * A failed credentials check as a probe result: a ChannelError that is not retryable means the
 * platform refused the credentials; anything else means it could not be reached.
 */
export function probeFailure(err: unknown, hints: ProbeHints): ProbeResult {
  const refused = err instanceof ChannelError && !err.retryable
  return {
    ok: false,
    detail: refused ? `bad credentials: ${errorMessage(err)}` : errorMessage(err),
    hint: refused ? hints.refused : hints.unreachable,
  }
}

/**
 * A credentials check as a doctor/init probe: `check` resolves to who the platform says we are, or
 * throws a ChannelError (not retryable: the platform refused the credentials; otherwise unreachable).
 */
export async function probeWith(
  check: () => Promise<string>,
  hints: ProbeHints,
  timeoutMs = 5000,
): Promise<ProbeResult> {
  const who = hints.platform ? `${hints.platform} did not answer` : 'no answer'
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ChannelError(`${who} within ${timeoutMs / 1000} s`, { retryable: true })),
      timeoutMs,
    )
  })
  try {
    return { ok: true, detail: `credentials accepted (${await Promise.race([check(), timeout])})` }
  } catch (err) {
    return probeFailure(err, hints)
  } finally {
    clearTimeout(timer)
  }
}
