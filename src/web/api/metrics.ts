import { Elysia } from 'elysia'
import type { WebServices } from '../services.ts'

export interface MetricsDeps {
  services: WebServices
  messageCount: () => number
  limitRefusals?: () => Array<{ group: string; kind: string; refused: number }>
  wsClients: () => number
  uptimeMs: () => number
}

function line(
  name: string,
  help: string,
  type: 'gauge' | 'counter',
  samples: Array<[string, number]>,
): string {
  const out = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`]
  for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`)
  return out.join('\n')
}

/** /metrics in the Prometheus text format (behind the same auth as everything else). */
export function metricsRoute(deps: MetricsDeps) {
  return new Elysia().get('/metrics', () => {
    const s = deps.services
    const tasks = s.tasks.list()
    const body = [
      line('ngb_uptime_seconds', 'Seconds since ngb serve started', 'gauge', [
        ['', Math.round(deps.uptimeMs() / 1000)],
      ]),
      line('ngb_groups', 'Registered groups', 'gauge', [['', s.groups.list().length]]),
      line('ngb_messages_stored', 'Messages in the database', 'gauge', [['', deps.messageCount()]]),
      line('ngb_runs_active', 'Agent runs in progress', 'gauge', [['', s.runs.running().length]]),
      line(
        'ngb_tasks',
        'Scheduled tasks by status',
        'gauge',
        (['active', 'paused', 'completed'] as const).map((st) => [
          `{status="${st}"}`,
          tasks.filter((t) => t.status === st).length,
        ]),
      ),
      line(
        'ngb_channel_up',
        'Channel connected (1) or not (0), enabled channels only',
        'gauge',
        s.channels
          .list()
          .filter((c) => c.enabled && c.configured)
          .map((c) => [`{channel="${c.name}"}`, c.status === 'connected' ? 1 : 0]),
      ),
      line(
        'ngb_plugin_errors_total',
        'Plugin hook errors since start',
        'counter',
        // Files that never loaded have no hooks to fail (and a name taken from a file name).
        s.plugins
          .list()
          .filter((p) => p.loaded)
          .map((p) => [`{plugin="${p.name}"}`, p.errors]),
      ),
      line(
        'ngb_agent_limit_refusals_total',
        'Agent actions refused by the per-group limits since start',
        'counter',
        (deps.limitRefusals?.() ?? []).map((r) => [`{group="${r.group}",kind="${r.kind}"}`, r.refused]),
      ),
      ...usageMetrics(s),
      line('ngb_websocket_clients', 'Open dashboard/API WebSockets', 'gauge', [['', deps.wsClients()]]),
    ]
    return new Response(`${body.join('\n')}\n`, {
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
    })
  })
}

/** Tokens, cost and runs per group since the first run: counters (they only grow while runs are kept). */
function usageMetrics(s: WebServices): string[] {
  const groups = s.usage.report({}).groups
  const label = (g: string) => g.replace(/["\\\n]/g, '_')
  const kinds = [
    ['input', 'inputTokens'],
    ['output', 'outputTokens'],
    ['cache_write', 'cacheWriteTokens'],
    ['cache_read', 'cacheReadTokens'],
  ] as const
  return [
    line(
      'ngb_tokens_total',
      'Tokens the agents used, by group and kind',
      'counter',
      groups.flatMap((g) => kinds.map(([kind, f]) => [`{group="${label(g.key)}",kind="${kind}"}`, g[f]])),
    ),
    line(
      'ngb_cost_usd_total',
      'Cost of the agent runs in USD as the provider reported it, by group',
      'counter',
      groups.map((g) => [`{group="${label(g.key)}"}`, g.costUsd]),
    ),
    line(
      'ngb_runs_total',
      'Agent runs, by group',
      'counter',
      groups.map((g) => [`{group="${label(g.key)}"}`, g.runs]),
    ),
  ]
}
