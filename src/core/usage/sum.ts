import type { RunUsage } from '../types.ts'

export const ZERO_USAGE: RunUsage = {
  inputTokens: 0,
  outputTokens: 0,
  cacheWriteTokens: 0,
  cacheReadTokens: 0,
  costUsd: 0,
  apiCalls: 0,
  apiMs: 0,
}

/** All four kinds of tokens: what a token budget counts. */
export const totalTokens = (u: RunUsage): number =>
  u.inputTokens + u.outputTokens + u.cacheWriteTokens + u.cacheReadTokens

/** The sum of two usages; the model is the later one's when it names one. */
export function addUsage(a: RunUsage, b: RunUsage): RunUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    // Cents summed as floats drift (0.1 + 0.2); nine decimals is far below any price.
    costUsd: Math.round((a.costUsd + b.costUsd) * 1e9) / 1e9,
    model: b.model ?? a.model,
    apiCalls: a.apiCalls + b.apiCalls,
    apiMs: a.apiMs + b.apiMs,
  }
}

/** `$5.00`, `$0.0123` for sub-cent figures. */
export function formatUsd(usd: number): string {
  if (usd !== 0 && Math.abs(usd) < 0.01) return `$${usd.toFixed(4)}`
  return `$${usd.toFixed(2)}`
}

/** Nearest-rank percentile (p in 0..100); undefined for no values. */
export function percentile(values: number[], p: number): number | undefined {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return undefined
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1]
}

/** One line: `1,280 in / 80 out / 300 cache write / 2,000 cache read tokens, $0.0065 (model)`. */
export function describeUsage(u: RunUsage): string {
  const n = (x: number) => x.toLocaleString('en-US')
  const model = u.model ? ` (${u.model})` : ''
  return `${n(u.inputTokens)} in / ${n(u.outputTokens)} out / ${n(u.cacheWriteTokens)} cache write / ${n(u.cacheReadTokens)} cache read tokens, ${formatUsd(u.costUsd)}${model}`
}
