/** Plain formatting for the views (no I/O). */
export function fmtTime(ms: number | undefined): string {
  if (!ms) return '—'
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19)
}

export function fmtDuration(from: number | undefined, to: number | undefined): string {
  if (!from || !to) return '—'
  const ms = to - from
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`
}

/** The form clears after a successful request (src/web/static/app.js: no inline handlers under the CSP). */
export const RESET_ON_SUCCESS = { 'data-reset-on-success': '' }
