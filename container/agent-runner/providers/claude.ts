import type { Provider } from '../provider.ts'

/**
 * Placeholder until the Claude Agent SDK provider lands: this file is replaced whole by it.
 * Images built from this source answer a claude turn with a clear error instead of crashing.
 */
export const claudeProvider: Provider = async (ctx) => {
  ctx.emit({ type: 'error', kind: 'internal', message: 'claude provider not built into this image' })
  return 1
}
