import type { Run } from '../../src/core/types.ts'
import { RunsTable, StatusBadge } from '../components.tsx'
import { fmtDuration, fmtTime } from '../format.ts'

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
      <h2>Log</h2>
      <pre safe>{log || '(no log)'}</pre>
    </>
  )
}
