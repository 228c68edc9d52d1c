import { Elysia } from 'elysia'
import * as v from 'valibot'
import type { UsageService } from '../services.ts'
import { Folder } from './schemas.ts'

const When = v.optional(v.pipe(v.string(), v.maxLength(40)))
const UsageQuerySchema = v.object({
  since: When,
  until: When,
  group: v.optional(Folder),
})

/** /api/usage: tokens and cost summed over a time range; /api/usage/budgets: budgets and what is used. */
export function usageApi(usage: UsageService) {
  return new Elysia({ tags: ['usage'] })
    .get('/api/usage', ({ query }) => usage.report(query), { query: UsageQuerySchema })
    .get('/api/usage/budgets', () => usage.budgets())
}
