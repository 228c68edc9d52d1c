/**
 * Budgets through the real `ngb serve` process, real containers and the mock agent (one answer =
 * $0.01, `/cost <usd>` another price), with Telegram through its real SDK against the wire fake.
 */
import { afterAll, beforeAll, describe, expect } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { dataPaths } from '../../src/config/paths.ts'
import { createEventBus } from '../../src/core/events.ts'
import { createGroupsService } from '../../src/core/groups.ts'
import type { UsageReport } from '../../src/core/usage/report.ts'
import { openDatabase } from '../../src/db/open.ts'
import { createRepos } from '../../src/db/repos/index.ts'
import { systemClock } from '../../src/util/clock.ts'
import { startTelegramHarness } from '../channels/telegram/harness.ts'
import type { ContractHarness } from '../contract/channel-contract.ts'
import { agentSandbox, ensureTestImage } from '../helpers/agent-image.ts'
import { runNgb } from '../helpers/cli.ts'
import { dockerTest, HAS_DOCKER } from '../helpers/docker.ts'
import type { LiveNgb } from '../helpers/spawn-ngb.ts'
import { spawnNgb } from '../helpers/spawn-ngb.ts'
import { waitFor } from '../helpers/wait.ts'

let h: ContractHarness | undefined
let serve: LiveNgb | undefined
let env: Record<string, string | undefined> = {}
// Registered before the sandbox, so serve stops before the sandbox's temp dir is removed.
afterAll(async () => {
  serve?.proc.kill('SIGTERM')
  if (serve) {
    const code = await serve.exited
    if (code !== 0) console.error(serve.stderr())
    expect(code).toBe(0)
  }
  await h?.stop()
  box.cleanup()
}, 30_000)
const box = agentSandbox({ NGB_TZ: 'Europe/Berlin' })

beforeAll(async () => {
  if (!HAS_DOCKER || process.env.NGB_TEST_DOCKER !== '1') return
  const image = await ensureTestImage()
  h = await startTelegramHarness()
  const paths = dataPaths(box.dataDir)
  const db = openDatabase(paths.db)
  try {
    const groups = createGroupsService({
      repos: createRepos(db),
      bus: createEventBus(),
      clock: systemClock,
      groupsDir: paths.groups,
    })
    groups.createGroup({ folder: 'main', triggerMode: 'always' })
    groups.bind(h.groupJid, 'main')
    // Five mock answers' worth.
    groups.createGroup({ folder: 'capped', triggerMode: 'always', settings: { budget: { dailyUsd: 0.05 } } })
    groups.bind(h.dmJid, 'capped')
  } finally {
    db.close()
  }
  env = { ...box.env, ...h.serveEnv, NGB_CONTAINER_IMAGE: image, NGB_ADMIN_PASSWORD: 'test-admin-password' }
  serve = spawnNgb(['serve', '--port', '0'], { env })
  await waitFor(() => serve?.stdout().includes('Dashboard:'), 'ngb serve to start', 30_000)
}, 120_000)

const harness = () => {
  if (!h) throw new Error('harness not started')
  return h
}

/** Sends `text` in the capped group's chat and returns the next `count` messages the bot sent there. */
async function say(text: string, count = 1): Promise<string[]> {
  const t = harness()
  const before = t.sent(t.dmJid).length
  t.injectDm(text)
  const sent = await t.waitForSent(t.dmJid, before + count, 30_000)
  return sent.slice(before)
}

function readRepos<T>(fn: (repos: ReturnType<typeof createRepos>) => T): T {
  const db = openDatabase(dataPaths(box.dataDir).db)
  try {
    return fn(createRepos(db))
  } finally {
    db.close()
  }
}

describe('a group with a daily budget, through ngb serve', () => {
  dockerTest(
    'answers until the budget is used, tells the chat once, holds messages and a task, answers them when raised',
    async () => {
      const t = harness()
      for (const n of [1, 2, 3, 4]) expect(await say(`m${n}`)).toEqual([`mock: m${n}`])
      // $0.04 of $0.05: one warning, to the main group's chat.
      const warning = await t.waitForSent(t.groupJid, 1, 10_000)
      expect(warning).toEqual(['Group "capped" has used 80% of the daily budget ($0.04 of $0.05).'])
      // This turn crosses the limit: it finishes (no half answer) and the overshoot shows later.
      expect(await say('/cost 0.02 m5')).toEqual(['mock: m5'])

      const notice = await say('m6')
      expect(notice).toEqual([
        'This group reached its daily budget of $0.05, $0.06 used; it resets at 00:00 Europe/Berlin. ' +
          'Your messages are kept and answered then, or as soon as the budget is raised.',
      ])
      // Told once: m7 gets nothing, and is kept. The inbound path is ordered and the budget check
      // runs as the message is queued, so the main group's answer to a later message means m7 was
      // handled.
      t.injectDm('m7')
      const mainBefore = t.sent(t.groupJid).length
      t.injectGroup('ping', { mention: false })
      expect((await t.waitForSent(t.groupJid, mainBefore + 1, 30_000)).slice(mainBefore)).toEqual([
        'mock: ping',
      ])

      // A scheduled task of the group is held the same way: it does not run.
      const added = await runNgb(
        ['tasks', 'add', 'capped', '--at', 'now', '-p', 'held task', '--chat', t.dmJid, '--json'],
        {
          env,
        },
      )
      expect(added.code).toBe(0)
      const taskId = (JSON.parse(added.stdout) as { id: string }).id
      const logFile = join(box.dataDir, 'logs', 'ngb.log')
      await waitFor(
        () =>
          readFileSync(logFile, 'utf8').includes(`"task":"${taskId}"`) &&
          readFileSync(logFile, 'utf8').includes('task held by the budget'),
        'the task to be held',
        10_000,
      )
      expect(readRepos((r) => r.tasks.runs(taskId))).toEqual([])

      // Raised: the held messages are answered (one turn; the mock answers the last) and the task runs.
      const before = t.sent(t.dmJid).length
      const raised = await runNgb(['groups', 'set', 'capped', '--budget-daily', '0.20'], { env })
      expect(raised).toMatchObject({ code: 0 })
      expect(raised.stdout).toContain('capped: budget daily $0.20')
      const after = (await t.waitForSent(t.dmJid, before + 2, 30_000)).slice(before)
      expect([...after].sort()).toEqual(['mock: held task', 'mock: m7'])
      await waitFor(
        () => readRepos((r) => r.tasks.runs(taskId)).some((run) => run.status === 'ok'),
        'the task run to finish',
        10_000,
      )

      // Nothing lost, nothing twice: every message stored once, every answer sent once, and the
      // group's cursor is past the last message (m6 and m7 went into the final turn's prompt).
      const stored = readRepos((r) => r.messages.since([t.dmJid], 0, 100))
      const fromUser = stored.filter((m) => !m.fromBot).map((m) => m.text)
      expect(fromUser).toEqual(['m1', 'm2', 'm3', 'm4', '/cost 0.02 m5', 'm6', 'm7'])
      expect(t.sent(t.dmJid).filter((s) => s.startsWith('mock: '))).toEqual([
        'mock: m1',
        'mock: m2',
        'mock: m3',
        'mock: m4',
        'mock: m5',
        ...after.filter((s) => s.startsWith('mock: ')),
      ])
      expect(t.sent(t.dmJid).filter((s) => s.includes('reached its daily budget'))).toHaveLength(1)
      expect(t.sent(t.groupJid)).toEqual([...warning, 'mock: ping'])
      const lastSeq = stored.at(-1)?.seq ?? -1
      expect(readRepos((r) => r.cursors.get('capped'))).toBeGreaterThanOrEqual(
        stored.filter((m) => m.text === 'm7')[0]?.seq ?? Infinity,
      )
      expect(lastSeq).toBeGreaterThan(0)

      // What was spent in the group: four answers, the $0.02 one, the held batch and the task.
      const total = readRepos((r) => r.usage.totals({ groupFolder: 'capped' }))
      expect(total.costUsd).toBeCloseTo(0.08, 9)
      expect(total).toMatchObject({ runs: expect.any(Number), inputTokens: 700, outputTokens: 140 })
    },
    120_000,
  )

  dockerTest(
    '`ngb usage --json`, /api/usage and /metrics agree with the run rows',
    async () => {
      const rows = readRepos((r) => r.runs.list({ limit: 1000 }))
      const sum = (folder: string, f: (u: NonNullable<(typeof rows)[0]['usage']>) => number) =>
        rows.filter((r) => r.groupFolder === folder).reduce((n, r) => n + (r.usage ? f(r.usage) : 0), 0)
      const cli = await runNgb(['usage', '--json'], { env })
      expect(cli.code).toBe(0)
      const report = JSON.parse(cli.stdout) as UsageReport
      expect(report.totals.runs).toBe(rows.length)
      for (const folder of ['capped', 'main']) {
        const g = report.groups.find((x) => x.key === folder)
        expect(g?.runs).toBe(rows.filter((r) => r.groupFolder === folder).length)
        expect(g?.inputTokens).toBe(sum(folder, (u) => u.inputTokens))
        expect(g?.cacheReadTokens).toBe(sum(folder, (u) => u.cacheReadTokens))
        expect(g?.costUsd).toBeCloseTo(
          sum(folder, (u) => u.costUsd),
          9,
        )
      }
      // The chats and the task of the capped group add up to its total.
      const capped = JSON.parse(
        (await runNgb(['usage', '--json', '--group', 'capped'], { env })).stdout,
      ) as UsageReport
      expect(capped.chats.reduce((n, c) => n + c.costUsd, 0)).toBeCloseTo(capped.totals.costUsd, 9)
      expect(capped.tasks).toHaveLength(1)
      expect(capped.tasks[0]?.costUsd).toBeCloseTo(0.01, 9)
      const table = await runNgb(['usage', '--since', 'today'], { env })
      expect(table.stdout).toMatch(/^capped +\d+ +700 +140 +70 +350 +\$0\.08$/m)
      expect(table.stdout).toMatch(/^total +/m)

      const url = /Dashboard: (\S+)/.exec(serve?.stdout() ?? '')?.[1] ?? ''
      const token = readFileSync(join(box.dataDir, 'cli-token'), 'utf8').trim()
      const headers = { authorization: `Bearer ${token}` }
      const api = (await (await fetch(`${url}/api/usage?since=today`, { headers })).json()) as UsageReport
      expect(api.totals).toEqual(report.totals)
      expect(api.groups).toEqual(report.groups)
      const metrics = await (await fetch(`${url}/metrics`, { headers })).text()
      expect(metrics).toContain('# TYPE ngb_tokens_total counter')
      expect(metrics).toContain('ngb_tokens_total{group="capped",kind="input"} 700')
      expect(metrics).toContain('ngb_tokens_total{group="capped",kind="cache_read"} 350')
      expect(metrics).toContain('ngb_cost_usd_total{group="capped"} 0.08')
      expect(metrics).toContain(
        `ngb_runs_total{group="main"} ${rows.filter((r) => r.groupFolder === 'main').length}`,
      )
    },
    120_000,
  )
})
