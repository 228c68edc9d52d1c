/**
 * Small charts rendered on the server as SVG strings: no chart framework in the browser. Every
 * number is finite and every shape inside the viewBox whatever the data (none, one point, a year).
 */

export interface ChartPoint {
  label: string
  value: number
}

export interface ChartOptions {
  /** Names the chart for screen readers (aria-label) and as its heading tooltip. */
  title: string
  points: ChartPoint[]
  format: (n: number) => string
  width?: number
  height?: number
  /** Shown instead of bars when there is nothing to draw. */
  empty?: string
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

const num = (n: number) => (Number.isFinite(n) ? Math.round(n * 100) / 100 : 0)

const clean = (v: number) => (Number.isFinite(v) && v > 0 ? v : 0)

function frame(o: ChartOptions, w: number, h: number, body: string, extraClass = ''): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart${extraClass}" role="img" aria-label="${esc(o.title)}" viewBox="0 0 ${w} ${h}" width="100%" preserveAspectRatio="xMidYMid meet"><title>${esc(o.title)}</title>${body}</svg>`
}

function emptyState(o: ChartOptions, w: number, h: number): string {
  const text = `<text class="chart-empty-text" x="${w / 2}" y="${h / 2}" text-anchor="middle" dominant-baseline="middle">${esc(o.empty ?? 'No data yet')}</text>`
  return frame(
    o,
    w,
    h,
    `<rect class="chart-frame" x="0.5" y="0.5" width="${w - 1}" height="${h - 1}" fill="none"/>${text}`,
    ' chart-empty',
  )
}

/** Vertical bars over time (one per point, in order), the largest value labelled on the axis. */
export function barChartSvg(o: ChartOptions): string {
  const w = o.width ?? 320
  const h = o.height ?? 120
  const values = o.points.map((p) => clean(p.value))
  const max = Math.max(0, ...values)
  if (o.points.length === 0 || max === 0) return emptyState(o, w, h)
  const top = 14
  const bottom = 16
  const plotH = h - top - bottom
  const slot = w / o.points.length
  const gap = slot > 4 ? Math.min(2, slot * 0.2) : 0
  const bars = o.points
    .map((p, i) => {
      const v = values[i] ?? 0
      const bh = (v / max) * plotH
      const x = i * slot + gap / 2
      return `<rect class="bar" x="${num(x)}" y="${num(top + plotH - bh)}" width="${num(Math.max(0.5, slot - gap))}" height="${num(bh)}"><title>${esc(`${p.label}: ${o.format(v)}`)}</title></rect>`
    })
    .join('')
  const first = o.points[0]?.label ?? ''
  const last = o.points.at(-1)?.label ?? ''
  const axis =
    `<line class="axis" x1="0" y1="${top + plotH + 0.5}" x2="${w}" y2="${top + plotH + 0.5}"/>` +
    `<text class="chart-label" x="0" y="10">${esc(o.format(max))}</text>` +
    `<text class="chart-label" x="0" y="${h - 3}">${esc(first)}</text>` +
    (o.points.length > 1
      ? `<text class="chart-label" x="${w}" y="${h - 3}" text-anchor="end">${esc(last)}</text>`
      : '')
  return frame(o, w, h, axis + bars)
}

/** Horizontal bars, largest first, at most `max` rows (the rest summed as "others"). */
export function hbarChartSvg(o: ChartOptions & { maxRows?: number }): string {
  const w = o.width ?? 320
  const rowH = 18
  const sorted = o.points
    .map((p) => ({ label: p.label, value: clean(p.value) }))
    .filter((p) => p.value > 0)
    .sort((a, b) => b.value - a.value)
  const limit = o.maxRows ?? 8
  const shown = sorted.slice(0, limit)
  const rest = sorted.slice(limit).reduce((n, p) => n + p.value, 0)
  if (rest > 0) shown.push({ label: `${sorted.length - limit} others`, value: rest })
  if (shown.length === 0) return emptyState(o, w, o.height ?? 60)
  const h = shown.length * rowH + 4
  const max = Math.max(...shown.map((p) => p.value))
  const labelW = w * 0.3
  const valueW = w * 0.22
  const plotW = w - labelW - valueW
  const rows = shown
    .map((p, i) => {
      const y = 2 + i * rowH
      const bw = Math.max(1, (p.value / max) * plotW)
      return (
        `<text class="chart-label" x="0" y="${y + 12}">${esc(p.label.length > 18 ? `${p.label.slice(0, 17)}…` : p.label)}</text>` +
        `<rect class="bar" x="${num(labelW)}" y="${y + 3}" width="${num(bw)}" height="${rowH - 6}"><title>${esc(`${p.label}: ${o.format(p.value)}`)}</title></rect>` +
        `<text class="chart-label" x="${w}" y="${y + 12}" text-anchor="end">${esc(o.format(p.value))}</text>`
      )
    })
    .join('')
  return frame(o, w, h, rows)
}
