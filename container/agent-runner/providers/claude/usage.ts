import type { ModelUsage, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk'
import type { Usage } from '../../../../src/protocol/container.ts'

type Totals = Omit<Usage, 'model' | 'apiCalls'>

const ZERO: Totals = {
  inputTokens: 0,
  outputTokens: 0,
  cacheWriteTokens: 0,
  cacheReadTokens: 0,
  costUsd: 0,
  apiMs: 0,
}

export interface UsageMeter {
  /** The usage of the turn this result message ends. */
  turn(msg: SDKResultMessage): Usage
}

/**
 * The SDK's result message carries running totals (`modelUsage`, `total_cost_usd`): cumulative over
 * the turns of a streaming-input session, and a resumed session starts from the totals its
 * transcript saved. A turn's own figures are the difference from the previous totals; `baseline` is
 * what earlier runs of this session already recorded (the host sums them). A total that went down
 * (a `/clear`, or a transcript without saved totals) starts counting again from zero.
 */
export function createUsageMeter(baseline: Partial<Totals> = {}): UsageMeter {
  let previous: Totals = { ...ZERO, ...baseline }
  return {
    turn(msg) {
      const models = Object.entries(msg.modelUsage ?? {})
      const current: Totals = {
        inputTokens: sum(models, (m) => m.inputTokens),
        outputTokens: sum(models, (m) => m.outputTokens),
        cacheWriteTokens: sum(models, (m) => m.cacheCreationInputTokens),
        cacheReadTokens: sum(models, (m) => m.cacheReadInputTokens),
        costUsd: num(msg.total_cost_usd),
        apiMs: num(msg.duration_api_ms),
      }
      const delta = { ...ZERO }
      for (const key of Object.keys(ZERO) as Array<keyof Totals>) {
        const before = previous[key]
        delta[key] = current[key] >= before ? current[key] - before : current[key]
      }
      previous = current
      // Rounding: a difference of two float sums must not show as -0.0000000001 or 1e-17.
      delta.costUsd = Math.max(0, Math.round(delta.costUsd * 1e9) / 1e9)
      const top = models.sort((a, b) => num(b[1].costUSD) - num(a[1].costUSD))[0]?.[0]
      return { ...delta, model: top, apiCalls: Math.max(0, Math.round(num(msg.num_turns))) }
    },
  }
}

/** A figure the CLI left out (a crash or start-up error result) counts as zero. */
const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0)

function sum(models: Array<[string, ModelUsage]>, pick: (m: ModelUsage) => number): number {
  return models.reduce((n, [, m]) => n + num(pick(m)), 0)
}
