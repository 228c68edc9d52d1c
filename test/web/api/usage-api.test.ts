import { describe, expect, test } from 'bun:test'
import type { RunUsage } from '../../../src/core/types.ts'
import { createTestWeb } from '../harness.ts'

const web = await createTestWeb()
const { call, repos } = web

const usage = (costUsd: number, inputTokens: number): RunUsage => ({
  inputTokens,
  outputTokens: 10,
  cacheWriteTokens: 0,
  cacheReadTokens: 0,
  costUsd,
  model: 'm',
  apiCalls: 1,
  apiMs: 5,
})

function run(
  id: string,
  group: string,
  startedAt: number,
  u: RunUsage,
  extra: { chatJid?: string; taskId?: string } = {},
) {
  repos.runs.start({ id, groupFolder: group, trigger: 'message', startedAt, ...extra })
  repos.runs.finish(id, {
    finishedAt: startedAt + 100,
    firstOutputAt: startedAt + 40,
    status: 'ok',
    bytesOut: 1,
    usage: u,
  })
}

describe('usage API', () => {
  test('sums per group, chat, task and UTC day within the range agree with the rows; budgets show what is used', async () => {
    await call('POST', '/api/groups', { folder: 'main', name: 'Main' })
    await call('POST', '/api/groups', { folder: 'fam', name: 'Family' })
    expect(
      (await call('PUT', '/api/groups/fam/settings', { budget: { dailyUsd: 0.5, monthlyTokens: 1000 } }))
        .status,
    ).toBe(200)
    const now = Date.now()
    const day = 86_400_000
    run('old', 'fam', now - 40 * day, usage(9, 9000))
    run('a', 'fam', now - 2 * day, usage(0.25, 100), { chatJid: 'telegram:1' })
    run('b', 'fam', now - 1000, usage(0.5, 200), { chatJid: 'telegram:1' })
    run('c', 'fam', now - 500, usage(0.125, 50), { chatJid: 'web:fam', taskId: 'task-1' })
    run('d', 'main', now - 100, usage(0.1, 10), { chatJid: 'web:main' })

    const r = await call('GET', '/api/usage?since=30d')
    expect(r.status).toBe(200)
    const report = r.json as unknown as {
      totals: { runs: number; costUsd: number; inputTokens: number }
      groups: Array<{ key: string; runs: number; costUsd: number }>
      chats: Array<{ key: string; costUsd: number }>
      tasks: Array<{ key: string; costUsd: number }>
      days: Array<{ day: string; runs: number; costUsd: number }>
    }
    expect(report.totals).toMatchObject({ runs: 4, costUsd: 0.975, inputTokens: 360 })
    expect(report.groups.map((g) => [g.key, g.runs, g.costUsd])).toEqual([
      ['fam', 3, 0.875],
      ['main', 1, 0.1],
    ])
    expect(report.chats.find((c) => c.key === 'telegram:1')?.costUsd).toBe(0.75)
    expect(report.tasks).toEqual([expect.objectContaining({ key: 'task-1', costUsd: 0.125 })])
    expect(report.days.reduce((n, d) => n + d.runs, 0)).toBe(4)
    expect(report.days.at(-1)?.day).toBe(new Date(now).toISOString().slice(0, 10))

    const all = (await call('GET', '/api/usage?group=fam')).json as unknown as typeof report
    expect(all.totals).toMatchObject({ runs: 4, costUsd: 9.875 })
    expect((await call('GET', '/api/usage?since=yesterday-ish')).status).toBe(422)

    const budgets = (await call('GET', '/api/usage/budgets')).json as unknown as {
      groups: Array<{
        folder: string
        lines: Array<{ period: string; unit: string; used: number; fraction: number }>
      }>
    }
    const fam = budgets.groups.find((g) => g.folder === 'fam')
    expect(budgets.groups[0]?.folder).toBe('fam')
    expect(fam?.lines.map((l) => [l.period, l.unit])).toEqual([
      ['daily', 'usd'],
      ['monthly', 'tokens'],
    ])
    // Today's two fam runs: $0.625 of $0.50, an overshoot of 125%.
    expect(fam?.lines[0]?.used).toBeCloseTo(0.5 + 0.125, 9)
    expect(fam?.lines[0]?.fraction).toBe(1.25)

    const metrics = await call('GET', '/metrics')
    expect(String(metrics.text)).toContain('ngb_cost_usd_total{group="fam"} 9.875')
  })
})
