import type { BudgetLine } from '../src/core/budget/limits.ts'
import { formatAmount } from '../src/core/budget/limits.ts'
import type { RunUsage } from '../src/core/types.ts'
import { formatUsd, totalTokens } from '../src/core/usage/sum.ts'
import type { BudgetOverview, UsageChartData } from '../src/web/services.ts'
import { barChartSvg, hbarChartSvg } from './charts.ts'

const tokens = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n))
const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`)
const shortDay = (day: string) => day.slice(5)

/** The charts of the overview (all groups) and a group page; replaced live when a run finishes. */
export function UsageCharts({ data, group }: { data: UsageChartData; group?: string }) {
  const days = data.days.map((d) => ({ ...d, label: shortDay(d.day) }))
  const durations =
    data.p50 === undefined
      ? []
      : [
          { label: 'p50', value: data.p50 },
          { label: 'p95', value: data.p95 ?? data.p50 },
        ]
  return (
    <section id="usage-charts" class="charts" aria-label="Usage charts">
      <figure class="card">
        <figcaption>Runs per day, last 30 days</figcaption>
        {barChartSvg({
          title: 'Runs per day, last 30 days',
          points: days.map((d) => ({ label: d.label, value: d.runs })),
          format: (n) => (Math.round(n) === 1 ? '1 run' : `${Math.round(n)} runs`),
          empty: 'No runs in the last 30 days',
        })}
      </figure>
      <figure class="card">
        <figcaption>Cost per day (USD), last 30 days</figcaption>
        {barChartSvg({
          title: 'Cost per day, last 30 days',
          points: days.map((d) => ({ label: d.label, value: d.costUsd })),
          format: formatUsd,
          empty: 'No cost in the last 30 days',
        })}
      </figure>
      {group === undefined ? (
        <figure class="card">
          <figcaption>Tokens by group, last 30 days</figcaption>
          {hbarChartSvg({
            title: 'Tokens by group, last 30 days',
            points: data.groups.map((g) => ({ label: g.key, value: totalTokens(g) })),
            format: tokens,
            empty: 'No tokens used yet',
          })}
        </figure>
      ) : (
        ''
      )}
      <figure class="card">
        <figcaption>Time to first output, p50 / p95</figcaption>
        {hbarChartSvg({
          title: 'Time to first output, p50 and p95',
          points: durations,
          format: ms,
          empty: 'No finished runs yet',
        })}
      </figure>
    </section>
  )
}

/** A run's usage, next to its log on the run page. */
export function RunUsageTable({ usage }: { usage: RunUsage }) {
  const rows: Array<[string, string]> = [
    ['Cost', formatUsd(usage.costUsd)],
    ['Model', usage.model ?? '—'],
    ['Input tokens', usage.inputTokens.toLocaleString('en-US')],
    ['Output tokens', usage.outputTokens.toLocaleString('en-US')],
    ['Cache write tokens', usage.cacheWriteTokens.toLocaleString('en-US')],
    ['Cache read tokens', usage.cacheReadTokens.toLocaleString('en-US')],
    ['API calls', String(usage.apiCalls)],
    ['API time', ms(usage.apiMs)],
  ]
  return (
    <table class="usage" id="run-usage" aria-label="Usage of this run">
      <tbody>
        {rows.map(([k, v]) => (
          <tr>
            <th scope="row">{k}</th>
            <td safe>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function BudgetBar({ line }: { line: BudgetLine }) {
  const pct = Math.round(line.fraction * 100)
  const state = line.fraction >= 1 ? 'over' : line.fraction >= 0.8 ? 'warn' : 'ok'
  const label = `${line.period} ${formatAmount(line.unit, line.used)} of ${formatAmount(line.unit, line.limit)} (${pct}%)`
  return (
    <div class={`budget ${state}`}>
      <span safe>{label}</span>
      <meter
        min="0"
        max="1"
        low={0.8}
        high={0.99}
        optimum={0}
        value={Math.min(1, line.fraction)}
        aria-label={label}
      />
    </div>
  )
}

/** The Usage page: groups by cost this month, with their budgets and how much of each is used. */
export function UsagePage({ data, charts }: { data: BudgetOverview; charts: UsageChartData }) {
  return (
    <>
      <p class="muted">
        Costs as the provider reported them (an estimate, not a bill). Budget periods in {data.timezone}.
      </p>
      {data.global.length > 0 ? (
        <section class="card" aria-label="Global budget">
          <h2>All groups together</h2>
          {data.global.map((l) => (
            <BudgetBar line={l} />
          ))}
        </section>
      ) : (
        ''
      )}
      <div class="table-wrap">
        <table class="cards" id="usage-groups">
          <thead>
            <tr>
              <th>Group</th>
              <th>Today</th>
              <th>This month</th>
              <th>Tokens this month</th>
              <th>Budget</th>
            </tr>
          </thead>
          <tbody>
            {data.groups.map((g) => (
              <tr>
                <td data-label="Group">
                  <a href={`/groups/${encodeURIComponent(g.folder)}`} safe>
                    {g.name}
                  </a>
                </td>
                <td data-label="Today">{formatUsd(g.todayUsd)}</td>
                <td data-label="This month">{formatUsd(g.monthUsd)}</td>
                <td data-label="Tokens this month">{tokens(g.monthTokens)}</td>
                <td data-label="Budget">
                  {g.lines.length === 0 ? (
                    <span class="muted">none</span>
                  ) : (
                    g.lines.map((l) => <BudgetBar line={l} />).join('')
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <UsageCharts data={charts} />
    </>
  )
}
