import type { Run } from '../../src/core/types.ts'
import { RunsTable, StatusBadge } from '../components.tsx'
import { fmtDuration, fmtTime } from '../format.ts'
import { RunUsageTable } from '../usage.tsx'

export function RunsPage({ runs }: { runs: Run[] }) {
  return <RunsTable runs={runs} bodyId="runs-body" />
}

export function RunDetailPage({ run, log }: { run: Run; log: string }) {
  return (
    <>
      <p>
        <StatusBadge status={run.status} /> group <span safe>{run.groupFolder}</span>, {run.trigger}, started{' '}
        {fmtTime(run.startedAt)}, took {fmtDuration(run.startedAt, run.finishedAt)}, {run.bytesOut} bytes out
      </p>
      {run.error ? (
        <p class="alert error" safe>
          {run.error}
        </p>
      ) : (
        ''
      )}
      <div class="run-detail">
        <section aria-label="Usage">
          <h2>Usage</h2>
          {run.usage ? <RunUsageTable usage={run.usage} /> : <p class="muted">not recorded</p>}
        </section>
        <section aria-label="Log">
          <h2>Log</h2>
          <pre safe>{log || '(no log)'}</pre>
        </section>
      </div>
    </>
  )
}
