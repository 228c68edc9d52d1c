import { defineCommand } from 'citty'
import { formatUsd } from '../../core/usage/sum.ts'
import type { UsageRow, UsageTotals } from '../../db/repos/usage.ts'
import { withAdmin } from '../admin/use.ts'
import { globalArgs } from '../context.ts'
import { withExamples } from '../help.ts'
import { formatTable, note, printJson } from '../output.ts'

const n = (x: number) => x.toLocaleString('en-US')

function cells(key: string, t: UsageTotals): string[] {
  return [
    key,
    n(t.runs),
    n(t.inputTokens),
    n(t.outputTokens),
    n(t.cacheWriteTokens),
    n(t.cacheReadTokens),
    formatUsd(t.costUsd),
  ]
}

/** `ngb usage`: what the agents cost, per group (or per chat and task with --group), with a totals line. */
export default withExamples(
  defineCommand({
    meta: { name: 'usage', description: 'Tokens and cost of agent runs, per group, with totals' },
    args: {
      ...globalArgs,
      group: { type: 'string', description: 'Only this group (rows per chat and task)', valueHint: 'folder' },
      since: {
        type: 'string',
        description: 'From: 7d, 24h, today, month, a date (2026-12-01) or ISO time (default: all)',
        valueHint: 'when',
      },
      until: { type: 'string', description: 'Up to (same forms as --since)', valueHint: 'when' },
      json: { type: 'boolean', description: 'Print the full report as JSON' },
    },
    async run({ args }) {
      const report = await withAdmin(args, (a) =>
        a.usage({ since: args.since, until: args.until, group: args.group }),
      )
      if (args.json) return printJson(report)
      if (report.totals.runs === 0) return note('no agent runs in this range')
      const rows: Array<[string, UsageRow]> = args.group
        ? [
            ...report.chats.map((r): [string, UsageRow] => [`chat ${r.key || '-'}`, r]),
            ...report.tasks.map((r): [string, UsageRow] => [`task ${r.key}`, r]),
          ]
        : report.groups.map((r): [string, UsageRow] => [r.key, r])
      const headers = [
        args.group ? 'CHAT / TASK' : 'GROUP',
        'RUNS',
        'INPUT',
        'OUTPUT',
        'CACHE W',
        'CACHE R',
        'COST',
      ]
      const table = formatTable(headers, [
        ...rows.map(([k, r]) => cells(k, r)),
        cells('total', report.totals),
      ])
      process.stdout.write(`${table}\n`)
      note(`times in ${report.timezone}; cost as the provider reported it (an estimate, not a bill)`)
    },
  }),
  ['ngb usage', 'ngb usage --since 7d', 'ngb usage --group family --since month', 'ngb usage --json'],
)
