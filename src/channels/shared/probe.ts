import { ChannelError, errorMessage } from '../../core/errors.ts'
import type { ProbeResult } from '../platforms.ts'

/**
 * A credentials check as a doctor/init probe: `check` resolves to who the platform says we are, or
 * throws a ChannelError (not retryable: the platform refused the credentials; otherwise unreachable).
 */
export async function probeWith(
  check: () => Promise<string>,
  hints: { refused: string; unreachable: string },
  timeoutMs = 5000,
): Promise<ProbeResult> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ChannelError(`no answer within ${timeoutMs / 1000} s`, { retryable: true })),
      timeoutMs,
    )
  })
  try {
    return { ok: true, detail: `credentials accepted (${await Promise.race([check(), timeout])})` }
  } catch (err) {
    const refused = err instanceof ChannelError && !err.retryable
    return {
      ok: false,
      detail: refused ? `bad credentials: ${errorMessage(err)}` : errorMessage(err),
      hint: refused ? hints.refused : hints.unreachable,
    }
  } finally {
    clearTimeout(timer)
  }
}
