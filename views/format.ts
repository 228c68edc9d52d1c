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

/** JSX cannot spell an attribute with two colons; htmx 4 event handlers need them. */
export const RESET_ON_SUCCESS = {
  'hx-on:htmx:after:request': 'if (event.detail.ctx.response.status < 400) this.reset()',
}
