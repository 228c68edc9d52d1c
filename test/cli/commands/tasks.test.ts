import { beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { openDatabase } from '../../../src/db/open.ts'
import { createRepos } from '../../../src/db/repos/index.ts'
import { compiledBinary } from '../../helpers/binary.ts'
import { runNgb } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/temp.ts'

const dataDir = tempDir('ngb-tasks-cli-')
const env = { NGB_TZ: 'UTC' }
const ngb = (args: string[], binary?: string) => runNgb([...args, '--data-dir', dataDir], { env, binary })

function withRepos<T>(fn: (r: ReturnType<typeof createRepos>) => T): T {
  const db = openDatabase(join(dataDir, 'ngb.db'))
  try {
    return fn(createRepos(db))
  } finally {
    db.close()
  }
}

interface TaskJson {
  id: string
  groupFolder: string
  chatJid: string
  scheduleType: string
  scheduleValue: string
  contextMode: string
  status: string
  nextRunAt?: number
}

beforeAll(async () => {
  await ngb(['groups', 'add', 'main'])
  await ngb(['groups', 'bind', 'main', 'slack:channel:C0123'])
  await ngb(['groups', 'add', 'ops'])
})

describe('ngb tasks', () => {
  let cronId = ''
  test("add: cron to the group's first chat, interval to an explicit chat, once; ls lists them", async () => {
    const cron = await ngb(['tasks', 'add', 'main', '--cron', '0 9 * * 1-5', '-p', 'Summarise', '--json'])
    expect(cron.code).toBe(0)
    const t = JSON.parse(cron.stdout) as TaskJson
    cronId = t.id
    expect(t).toMatchObject({
      groupFolder: 'main',
      chatJid: 'slack:channel:C0123',
      scheduleType: 'cron',
      status: 'active',
    })
    expect(new Date(t.nextRunAt ?? 0).getUTCHours()).toBe(9)

    const every = await ngb([
      'tasks',
      'add',
      'ops',
      '--every',
      '30m',
      '-p',
      'Check',
      '--chat',
      'discord:channel:9',
      '--context',
      'group',
    ])
    expect(every.code).toBe(0)
    expect(every.stdout).toMatch(/^task-\S+\n$/)
    expect(every.stderr).toContain('scheduled every 30m for ops')

    const once = await ngb(['tasks', 'add', 'ops', '--at', '2030-01-02T03:04', '-p', 'Later', '--json'])
    expect(JSON.parse(once.stdout)).toMatchObject({
      chatJid: 'web:ops',
      scheduleType: 'once',
      nextRunAt: Date.UTC(2030, 0, 2, 3, 4),
    })

    const ls = await ngb(['tasks', 'ls'])
    expect(ls.stdout.split('\n')[0]).toMatch(/^ID\s+GROUP\s+SCHEDULE\s+STATUS\s+NEXT RUN\s+PROMPT$/)
    expect(ls.stdout).toContain('cron 0 9 * * 1-5')
    expect(ls.stdout).toContain('every 30m')
    expect(ls.stdout).toContain('once 2030-01-02T03:04')
    const ops = JSON.parse((await ngb(['tasks', 'ls', '--group', 'ops', '--json'])).stdout) as TaskJson[]
    expect(ops.map((x) => [x.scheduleType, x.contextMode])).toEqual([
      ['interval', 'group'],
      ['once', 'isolated'],
    ])
  })

  test('pause, resume, runs and rm', async () => {
    expect((await ngb(['tasks', 'pause', cronId])).stdout).toBe(`paused ${cronId}\n`)
    expect(withRepos((r) => r.tasks.get(cronId)?.status)).toBe('paused')
    const resumed = await ngb(['tasks', 'resume', cronId])
    expect(resumed.stdout).toStartWith(`resumed ${cronId}; next run 20`)

    expect((await ngb(['tasks', 'runs', cronId])).stderr).toBe(`task ${cronId} has not run yet\n`)
    withRepos((r) => {
      const a = r.tasks.startRun(cronId, 1_000)
      r.tasks.finishRun(a, 3_500, 'ok', 'All quiet')
      const b = r.tasks.startRun(cronId, 10_000)
      r.tasks.finishRun(b, 11_000, 'error', undefined, 'container exited 1')
    })
    const runs = await ngb(['tasks', 'runs', cronId])
    const lines = runs.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^STARTED\s+STATUS\s+TOOK\s+RESULT$/)
    expect(lines[1]).toMatch(/error\s+1\.0s\s+container exited 1$/)
    expect(lines[2]).toMatch(/ok\s+2\.5s\s+All quiet$/)
    expect(JSON.parse((await ngb(['tasks', 'runs', cronId, '-n', '1', '--json'])).stdout)).toHaveLength(1)

    expect((await ngb(['tasks', 'rm', cronId])).stdout).toBe(`removed ${cronId}\n`)
    expect(withRepos((r) => r.tasks.get(cronId))).toBeUndefined()
  })

  test('bad input: bad cron / interval / time / context / no schedule (2), unknown group or task (1)', async () => {
    const badCron = await ngb(['tasks', 'add', 'main', '--cron', '61 * * * *', '-p', 'x'])
    expect(badCron.code).toBe(2)
    expect(badCron.stderr).toStartWith('ngb: invalid cron "61 * * * *"')
    expect(badCron.stderr).toEndWith('hint: run `ngb tasks add --help`\n')
    expect((await ngb(['tasks', 'add', 'main', '--cron', 'every day', '-p', 'x'])).code).toBe(2)
    expect((await ngb(['tasks', 'add', 'main', '--every', '0s', '-p', 'x'])).code).toBe(2)
    expect((await ngb(['tasks', 'add', 'main', '--at', '2030-02-30T10:00', '-p', 'x'])).code).toBe(2)
    expect(
      (await ngb(['tasks', 'add', 'main', '--every', '1h', '-p', 'x', '--context', 'shared'])).code,
    ).toBe(2)
    expect((await ngb(['tasks', 'add', 'main', '--every', '1h', '-p', 'x', '--chat', 'nope'])).code).toBe(2)
    const none = await ngb(['tasks', 'add', 'main', '-p', 'x'])
    expect(none.code).toBe(2)
    expect(none.stderr).toStartWith('ngb: give exactly one schedule')
    expect(
      (await ngb(['tasks', 'add', 'main', '--every', '1h', '--cron', '* * * * *', '-p', 'x'])).code,
    ).toBe(2)
    expect((await ngb(['tasks', 'add', 'main', '--every', '1h'])).code).toBe(2)
    const ghost = await ngb(['tasks', 'add', 'ghost', '--every', '1h', '-p', 'x'])
    expect(ghost).toMatchObject({
      code: 1,
      stderr: 'ngb: group "ghost" does not exist (see `ngb groups ls`)\n',
    })
    const unknown = await ngb(['tasks', 'pause', 'task-nope'])
    expect(unknown).toMatchObject({
      code: 1,
      stderr: 'ngb: task "task-nope" does not exist (see `ngb tasks ls`)\n',
    })
  })

  test('the compiled binary adds and lists tasks', async () => {
    const binary = compiledBinary()
    const add = await ngb(['tasks', 'add', 'main', '--every', '1d', '-p', 'Daily', '--json'], binary)
    expect(add.code).toBe(0)
    const id = (JSON.parse(add.stdout) as TaskJson).id
    const ls = JSON.parse((await ngb(['tasks', 'ls', '--json'], binary)).stdout) as TaskJson[]
    expect(ls.map((t) => t.id)).toContain(id)
    expect((await ngb(['tasks', 'add', 'main', '--cron', 'nope', '-p', 'x'], binary)).code).toBe(2)
  })
})
