/**
 * Runs `handler` on Ctrl+C (SIGINT) and SIGTERM while a long-running command is active, instead of
 * the default of dying mid-write. Returns the function that removes the handler.
 */
export function onInterrupt(handler: (signal: NodeJS.Signals) => void): () => void {
  const listener = (signal: NodeJS.Signals) => handler(signal)
  process.on('SIGINT', listener)
  process.on('SIGTERM', listener)
  return () => {
    process.off('SIGINT', listener)
    process.off('SIGTERM', listener)
  }
}
