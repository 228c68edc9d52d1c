/** Polls `check` until it returns a truthy value or the deadline passes (then throws with `what`). */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5000,
  everyMs = 10,
): Promise<T> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await Bun.sleep(everyMs)
  }
}

/**
 * Lets every callback already queued (promise reactions, stream reads) run: one turn of the event
 * loop. Not a wait for time; pair it with a manual clock where a timer must fire.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
