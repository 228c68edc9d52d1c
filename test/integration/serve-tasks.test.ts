import type { Database } from 'bun:sqlite'
import { afterAll, expect } from 'bun:test'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/open.ts'
import { createRepos } from '../../src/db/repos/index.ts'
import { buildTestImage } from '../../src/image/test-image.ts'
import { agentSandbox, ensureTestImage } from '../helpers/agent-image.ts'
import { NGB_SOURCE, REPO_ROOT } from '../helpers/cli.ts'
import { dockerTest } from '../helpers/docker.ts'

const opened: Database[] = []
afterAll(() => {
  for (const db of opened) db.close()
})
const box = agentSandbox()
afterAll(() => box.cleanup())
const image = process.env.NGB_TEST_IMAGE ?? 'ngb-agent:test'
const HOUR = 3_600_000

async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const port = server.port ?? 0
  await server.stop(true)
  return port
}

dockerTest(
  'after downtime `ngb serve` runs each overdue task once, then keeps its schedule',
  async () => {
    if (image === 'ngb-agent:test') await ensureTestImage()
    else await buildTestImage({ cli: 'docker', tag: image })
    const dbPath = join(box.dataDir, 'ngb.db')
    const now = Date.now()
    const db = openDatabase(dbPath)
    afterAll(() => db.close())
    const setup = createRepos(db)
    setup.groups.create({ folder: 'main', name: 'Main', isMain: true, triggerMode: 'always' }, now)
    const base = {
      groupFolder: 'main',
      chatJid: 'web:main',
      contextMode: 'isolated',
      createdAt: now - 10 * HOUR,
    } as const
    // Hourly, last due 3.5 h ago: three slots were missed while ngb was down.
    const missedAnchor = now - 3.5 * HOUR
    setup.tasks.create({
      ...base,
      id: 'task-hourly',
      prompt: 'catch up',
      scheduleType: 'interval',
      scheduleValue: '1h',
      status: 'active',
      nextRunAt: missedAnchor,
    })
    setup.tasks.create({
      ...base,
      id: 'task-once',
      prompt: 'late once',
      scheduleType: 'once',
      scheduleValue: new Date(now - 10 * 60_000).toISOString(),
      status: 'active',
      nextRunAt: now - 10 * 60_000,
    })

    const port = await freePort()
    const proc = Bun.spawn([process.execPath, NGB_SOURCE, 'serve', '--port', String(port)], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...box.env,
        NGB_CONTAINER_IMAGE: image,
        NGB_ADMIN_PASSWORD: 'x-test-password',
        NO_COLOR: '1',
      },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    try {
      const deadline = Date.now() + 30_000
      const done = (id: string) => setup.tasks.runs(id).some((r) => r.status !== 'running')
      while (!(done('task-hourly') && done('task-once'))) {
        if (Date.now() > deadline || proc.exitCode !== null) throw new Error('the overdue tasks did not run')
        await Bun.sleep(50)
      }
    } finally {
      proc.kill('SIGTERM')
      expect(await proc.exited).toBe(0)
    }

    const hourly = setup.tasks.get('task-hourly')
    expect(setup.tasks.runs('task-hourly').map((r) => [r.status, r.result])).toEqual([
      ['ok', 'mock: catch up'],
    ])
    // The next run is the next slot on the old grid, not now + 1 h and not one of the missed slots.
    expect(hourly?.nextRunAt).toBe(missedAnchor + 4 * HOUR)
    expect(hourly?.status).toBe('active')
    expect(setup.tasks.runs('task-once').map((r) => r.status)).toEqual(['ok'])
    expect(setup.tasks.get('task-once')?.status).toBe('completed')
    const replies = setup.messages
      .since(['web:main'], 0, 100)
      .filter((m) => m.fromBot)
      .map((m) => m.text)
      .sort()
    expect(replies).toEqual(['mock: catch up', 'mock: late once'])
    expect(box.leftovers()).toEqual([])
  },
  60_000,
)
