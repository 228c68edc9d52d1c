import { InvalidInputError } from '../../core/errors.ts'
import type { BudgetLimits, BudgetPolicy } from '../../core/types.ts'
import { formatUsd } from '../../core/usage/sum.ts'

/** The `--budget-*` flags of `ngb groups set` (docs/usage.md). */

const POLICIES: readonly string[] = ['hold', 'drop']

/** `--budget-daily 5` → 5; `off` → null (remove that limit); absent → undefined (keep). */
function budgetFlag(value: string | undefined, flag: string, integer: boolean): number | null | undefined {
  if (value === undefined) return undefined
  if (value === 'off' || value === 'none') return null
  const n = Number(value.replace(/^\$/, ''))
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
    throw new InvalidInputError(
      `${flag} must be ${integer ? 'a whole number of tokens' : 'an amount in USD such as 5 or 0.50'}, or off; not "${value}"`,
    )
  return n
}

const BUDGET_FLAGS = {
  'budget-daily': { field: 'dailyUsd', integer: false },
  'budget-monthly': { field: 'monthlyUsd', integer: false },
  'budget-daily-tokens': { field: 'dailyTokens', integer: true },
  'budget-monthly-tokens': { field: 'monthlyTokens', integer: true },
} as const

/** The budget after applying the flags to `current`; undefined when no budget flag was given. */
export function budgetFromFlags(
  args: Record<string, unknown>,
  current: BudgetLimits | undefined,
): BudgetLimits | undefined | 'unchanged' {
  if (args['clear-budget']) return undefined
  const next: BudgetLimits = { ...current }
  let changed = false
  for (const [flag, { field, integer }] of Object.entries(BUDGET_FLAGS)) {
    const raw = args[flag]
    const value = budgetFlag(typeof raw === 'string' ? raw : undefined, `--${flag}`, integer)
    if (value === undefined) continue
    changed = true
    if (value === null) delete next[field]
    else next[field] = value
  }
  const rawPolicy = args['budget-policy']
  if (rawPolicy !== undefined && (typeof rawPolicy !== 'string' || !POLICIES.includes(rawPolicy)))
    throw new InvalidInputError(
      `--budget-policy must be one of ${POLICIES.join(', ')}, not "${String(rawPolicy)}"`,
    )
  const policy = rawPolicy as BudgetPolicy | undefined
  if (policy) {
    next.policy = policy
    changed = true
  }
  if (!changed) return 'unchanged'
  return Object.keys(next).length > 0 ? next : undefined
}

export function describeBudget(b: BudgetLimits | undefined): string {
  if (!b) return 'no budget (the global one, if any, applies)'
  const parts: string[] = []
  if (b.dailyUsd !== undefined) parts.push(`daily ${formatUsd(b.dailyUsd)}`)
  if (b.monthlyUsd !== undefined) parts.push(`monthly ${formatUsd(b.monthlyUsd)}`)
  if (b.dailyTokens !== undefined) parts.push(`daily ${b.dailyTokens} tokens`)
  if (b.monthlyTokens !== undefined) parts.push(`monthly ${b.monthlyTokens} tokens`)
  parts.push(`over budget: ${b.policy ?? 'hold'}`)
  return `budget ${parts.join(', ')}`
}
