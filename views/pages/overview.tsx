import type { ImageStatus } from '../../src/core/container/image-watch.ts'
import type { Run } from '../../src/core/types.ts'
import { ImageBanner, RunsTable, StatusBadge } from '../components.tsx'

export interface OverviewProps {
  version: string
  uptimeMs: number
  groups: number
  messages: number
  channels: Array<{ name: string; status: string; configured: boolean }>
  running: Run[]
  image?: ImageStatus
  /** Server-rendered SVG charts (views/usage.tsx), replaced live when a run finishes. */
  charts: JSX.Element
}

export function OverviewPage(p: OverviewProps) {
  return (
    <>
      <ImageBanner image={p.image} />
      <section class="grid" aria-label="Health">
        <div class="card">
          <div class="muted">Version</div>
          <div class="stat" safe>
            {p.version}
          </div>
          <div class="muted">up {Math.round(p.uptimeMs / 1000)} s</div>
        </div>
        <div class="card">
          <div class="muted">Groups</div>
          <div class="stat">{p.groups}</div>
        </div>
        <div class="card">
          <div class="muted">Messages stored</div>
          <div class="stat">{p.messages}</div>
        </div>
        <div class="card">
          <div class="muted">Active runs</div>
          <div class="stat">{p.running.length}</div>
        </div>
      </section>
      <h2>Usage</h2>
      {p.charts}
      <h2>Channels</h2>
      <ul class="actions" aria-label="Channel status">
        {p.channels
          .filter((c) => c.configured)
          .map((c) => (
            <li class="card">
              <span safe>{c.name}</span> <StatusBadge status={c.status} />
            </li>
          ))}
      </ul>
      <h2>Active runs</h2>
      <RunsTable runs={p.running} bodyId="active-runs" />
      <h2>Recent activity</h2>
      <ul id="activity" class="log" aria-live="polite" aria-label="Recent activity" />
    </>
  )
}
