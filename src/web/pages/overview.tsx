import { Elysia } from 'elysia'
import { OverviewPage } from '../../../views/pages/overview.tsx'
import { UsageCharts } from '../../../views/usage.tsx'
import type { AuthGuard } from '../auth/guard.ts'
import type { WebServices } from '../services.ts'
import type { RenderPage } from './render.tsx'

export function overviewPage(deps: {
  guard: AuthGuard
  render: RenderPage
  services: WebServices
  version: string
  uptimeMs: () => number
  messageCount: () => number
}) {
  const s = deps.services
  return new Elysia().use(deps.guard).get('/', ({ principal }) =>
    deps.render(principal, {
      title: 'Overview',
      active: '/',
      live: '/ws/ui?view=overview',
      body: (
        <OverviewPage
          version={deps.version}
          uptimeMs={deps.uptimeMs()}
          groups={s.groups.list().length}
          messages={deps.messageCount()}
          channels={s.channels.list()}
          running={s.runs.running()}
          image={s.image.status()}
          charts={<UsageCharts data={s.usage.charts()} />}
        />
      ),
    }),
  )
}
