import { Elysia } from 'elysia'
import { UsagePage } from '../../../views/usage.tsx'
import type { AuthGuard } from '../auth/guard.ts'
import type { WebServices } from '../services.ts'
import type { RenderPage } from './render.tsx'

/** /usage: groups by cost with their budgets, and the usage charts of all groups. */
export function usagePage(deps: { guard: AuthGuard; render: RenderPage; services: WebServices }) {
  const s = deps.services
  return new Elysia().use(deps.guard).get('/usage', ({ principal }) =>
    deps.render(principal, {
      title: 'Usage',
      active: '/usage',
      live: '/ws/ui?view=overview',
      body: <UsagePage data={s.usage.budgets()} charts={s.usage.charts()} />,
    }),
  )
}
