import type { Run } from '../../src/core/types.ts'
import { RunRow, StatusBadge } from '../components.tsx'
import { fmtDuration, fmtTime } from '../format.ts'

export function RunsPage({ runs }: { runs: Run[] }) {
  return (
    <div class="table-wrap">
      <table class="cards">
        <thead>
          <tr>
            <th>Run</th>
            <th>Group</th>
            <th>Trigger</th>
            <th>Status</th>
            <th>Started</th>
            <th>Duration</th>
          </tr>
        </thead>
        <tbody id="runs-body">
          {runs.map((r) => (
            <RunRow run={r} />
          ))}
        </tbody>
      </table>
    </div>
  )
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
