import { describe, expect, test } from 'bun:test'
import { percentile } from '../../src/core/usage/sum.ts'
import { barChartSvg, hbarChartSvg } from '../../views/charts.ts'

const usd = (n: number) => `$${n.toFixed(2)}`

/** Every rect's box, parsed back out of the SVG. */
function rects(svg: string): Array<{ x: number; y: number; w: number; h: number }> {
  return [...svg.matchAll(/<rect class="bar" x="([^"]+)" y="([^"]+)" width="([^"]+)" height="([^"]+)"/g)].map(
    (m) => ({ x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) }),
  )
}

function viewBox(svg: string): { w: number; h: number } {
  const m = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)
  return { w: Number(m?.[1]), h: Number(m?.[2]) }
}

function inside(svg: string) {
  const box = viewBox(svg)
  for (const r of rects(svg)) {
    for (const n of [r.x, r.y, r.w, r.h]) expect(Number.isFinite(n)).toBe(true)
    expect(r.x).toBeGreaterThanOrEqual(0)
    expect(r.y).toBeGreaterThanOrEqual(0)
    expect(r.x + r.w).toBeLessThanOrEqual(box.w + 0.01)
    expect(r.y + r.h).toBeLessThanOrEqual(box.h + 0.01)
  }
  expect(svg).not.toContain('NaN')
  expect(svg).not.toContain('Infinity')
}

describe('bar chart SVG', () => {
  test('no data: the empty state, no bars', () => {
    for (const points of [[], [{ label: '12-06', value: 0 }]]) {
      const svg = barChartSvg({ title: 'Cost per day', points, format: usd, empty: 'No cost yet' })
      expect(svg).toContain('class="chart chart-empty"')
      expect(svg).toContain('No cost yet')
      expect(rects(svg)).toEqual([])
      inside(svg)
    }
  })

  test('one day: one bar of the full plot height, labelled with its value', () => {
    const svg = barChartSvg({ title: 'Cost', points: [{ label: '12-06', value: 1.5 }], format: usd })
    const [bar] = rects(svg)
    expect(rects(svg)).toHaveLength(1)
    expect(bar?.h).toBe(viewBox(svg).h - 14 - 16)
    expect(svg).toContain('<title>12-06: $1.50</title>')
    expect(svg).toContain('>$1.50</text>')
    inside(svg)
  })

  test('a year: 365 bars in order, heights proportional, all inside the view box', () => {
    const points = Array.from({ length: 365 }, (_, i) => ({ label: `d${i}`, value: i % 7 === 3 ? 0 : i + 1 }))
    const svg = barChartSvg({ title: 'Runs', points, format: String })
    const bars = rects(svg)
    expect(bars).toHaveLength(365)
    expect(bars.map((b) => b.x)).toEqual([...bars.map((b) => b.x)].sort((a, b) => a - b))
    expect(bars[364]?.h).toBe(viewBox(svg).h - 30)
    expect(bars[3]?.h).toBe(0)
    expect(Math.abs((bars[182]?.h ?? 0) / (bars[364]?.h ?? 1) - 183 / 365)).toBeLessThan(0.01)
    expect(svg).toContain('>d0</text>')
    expect(svg).toContain('>d364</text>')
    inside(svg)
  })

  test('labels and titles are escaped; bad numbers draw nothing', () => {
    const svg = barChartSvg({
      title: '<b>"x"</b>',
      points: [
        { label: '<script>', value: 2 },
        { label: 'nan', value: Number.NaN },
        { label: 'neg', value: -5 },
      ],
      format: String,
    })
    expect(svg).not.toContain('<script>')
    expect(svg).toContain('&lt;script&gt;')
    expect(svg).toContain('aria-label="&lt;b&gt;&quot;x&quot;&lt;/b&gt;"')
    expect(rects(svg).map((r) => r.h > 0)).toEqual([true, false, false])
    inside(svg)
  })
})

describe('horizontal bar chart SVG', () => {
  test('largest first, the tail summed as others, empty state without data', () => {
    const points = Array.from({ length: 12 }, (_, i) => ({ label: `g${i}`, value: (i + 1) * 10 }))
    const svg = hbarChartSvg({ title: 'Tokens', points, format: String, maxRows: 3 })
    expect([...svg.matchAll(/<title>([^<]+)<\/title><\/rect>/g)].map((m) => m[1])).toEqual([
      'g11: 120',
      'g10: 110',
      'g9: 100',
      '9 others: 450',
    ])
    inside(svg)
    expect(hbarChartSvg({ title: 'Tokens', points: [], format: String, empty: 'none' })).toContain('none')
  })

  test('percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(values, 50)).toBe(50)
    expect(percentile(values, 95)).toBe(95)
    expect(percentile([7], 95)).toBe(7)
    expect(percentile([], 50)).toBeUndefined()
  })
})
