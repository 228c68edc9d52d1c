import { describe, expect, test } from 'bun:test'
import { budgetFromFlags, describeBudget } from '../../../src/cli/commands/budget-flags.ts'

describe('ngb groups set --budget-* flags', () => {
  test('set, keep, remove one limit (off), clear all, and the policy', () => {
    const current = { dailyUsd: 5, monthlyTokens: 1000 }
    expect(budgetFromFlags({}, current)).toBe('unchanged')
    expect(budgetFromFlags({ 'budget-monthly': '$50' }, current)).toEqual({ ...current, monthlyUsd: 50 })
    expect(budgetFromFlags({ 'budget-daily': 'off' }, current)).toEqual({ monthlyTokens: 1000 })
    expect(
      budgetFromFlags({ 'budget-daily': 'off', 'budget-monthly-tokens': 'off' }, current),
    ).toBeUndefined()
    expect(budgetFromFlags({ 'clear-budget': true }, current)).toBeUndefined()
    expect(budgetFromFlags({ 'budget-policy': 'drop' }, undefined)).toEqual({ policy: 'drop' })
    expect(describeBudget({ dailyUsd: 5, monthlyTokens: 1000, policy: 'drop' })).toBe(
      'budget daily $5.00, monthly 1000 tokens, over budget: drop',
    )
  })

  test.each([
    [{ 'budget-daily': 'five' }, '--budget-daily must be an amount in USD'],
    [{ 'budget-daily': '-1' }, '--budget-daily must be an amount in USD'],
    [{ 'budget-daily-tokens': '1.5' }, '--budget-daily-tokens must be a whole number of tokens'],
    [{ 'budget-policy': 'sometimes' }, '--budget-policy must be one of hold, drop'],
  ])('%o is refused with a message naming the flag', (args, message) => {
    expect(() => budgetFromFlags(args, undefined)).toThrow(message)
  })
})
