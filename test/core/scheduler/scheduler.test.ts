import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { createEventBus } from '../../../src/core/events.ts'
import { nextRun } from '../../../src/core/scheduler/next-run.ts'
import { createScheduler } from '../../../src/core/scheduler/scheduler.ts'
import type { Task } from '../../../src/core/types.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { createManualClock } from '../../fakes/manual-clock.ts'
import { testDb } from '../../helpers/db.ts'
import { runBunScript } from '../../helpers/run-script.ts'

const T0 = 1_800_000_000_000

function setup() {
  const { repos } = testDb()
  repos.groups.create({ folder: 'team', name: 'Team', triggerMode: 'always' }, T0)
  const clock = createManualClock(T0)
  const bus = createEventBus()
  const fired: Array<{ id: string; at: number; scheduledFor?: number }> = []
  const queued: Task[] = []
  const scheduler = createScheduler({
    tasks: repos.tasks,
    enqueueTask: (task) => {
      fired.push({ id: task.id, at: clock.now(), scheduledFor: task.nextRunAt })
      queued.push(task)
    },
    bus,
    clock,
    log: createMemoryLogger(),
  })
  function addTask(id: string, scheduleType: Task['scheduleType'], scheduleValue: string, nextRunAt: number) {
    const task: Task = {
      id,
      groupFolder: 'team',
      chatJid: 'web:team',
      prompt: 'p',
      scheduleType,
      scheduleValue,
      contextMode: 'isolated',
      status: 'active',
      nextRunAt,
      createdAt: T0,
    }
    repos.tasks.create(task)
    bus.publish({ type: 'task.created', group: 'team', task })
    return task
  }
  /** What runTask does when a run ends: move next_run_at on from the slot it ran for, announce. */
  function finish(task: Task) {
    const next = nextRun(task, task.nextRunAt ?? clock.now(), clock.now(), 'UTC')
    const done = repos.tasks.update(task.id, {
      nextRunAt: next,
      lastRunAt: clock.now(),
      status: next === undefined ? 'completed' : 'active',
    })
    bus.publish({ type: 'task.finished', group: 'team', task: done })
  }
  return { repos, clock, bus, fired, queued, scheduler, addTask, finish }
}

describe('scheduler', () => {
  test('fires a task exactly at its time, through one timer, and not before', () => {
    const s = setup()
    s.scheduler.start()
    s.addTask('a', 'once', 'x', T0 + 5000)
    expect(s.clock.pending()).toEqual([T0 + 5000])
    s.clock.advance(4999)
    expect(s.fired).toEqual([])
    s.clock.advance(1)
    expect(s.fired).toEqual([{ id: 'a', at: T0 + 5000, scheduledFor: T0 + 5000 }])
    s.scheduler.stop()
  })

  test('re-arms for an earlier task created later, and forgets a deleted one', () => {
    const s = setup()
    s.scheduler.start()
    const late = s.addTask('late', 'once', 'x', T0 + 60_000)
    s.addTask('early', 'once', 'x', T0 + 1000)
    expect(s.clock.pending()).toEqual([T0 + 1000])
    s.repos.tasks.remove(late.id)
    s.bus.publish({ type: 'task.deleted', group: 'team', task: late })
    s.clock.advance(120_000)
    expect(s.fired.map((f) => f.id)).toEqual(['early'])
    s.scheduler.stop()
  })

  test('never fires a task twice while its run is still going', () => {
    const s = setup()
    const task = s.addTask('slow', 'interval', '1000', T0 + 1000)
    s.scheduler.start()
    s.clock.advance(1000)
    expect(s.fired).toHaveLength(1)
    // The run takes 3.5 s; three slots pass meanwhile, and the timer must not spin on the due row.
    s.clock.advance(3500)
    expect(s.fired).toHaveLength(1)
    expect(s.clock.pending()).toEqual([])
    s.finish(task)
    expect(s.fired).toHaveLength(1)
    expect(s.clock.pending()).toEqual([T0 + 5000])
    s.clock.advance(500)
    expect(s.fired.map((f) => f.at)).toEqual([T0 + 1000, T0 + 5000])
    s.scheduler.stop()
  })

  test('an interval task stays on its grid over 100 runs of varying length (no drift)', () => {
    const s = setup()
    s.addTask('tick', 'interval', '2s', T0 + 2000)
    s.scheduler.start()
    for (let i = 0; i < 100; i++) {
      const due = s.clock.pending()[0]
      if (due === undefined) throw new Error(`no timer armed before run ${i}`)
      s.clock.advance(due - s.clock.now())
      const task = s.queued.shift()
      if (!task) throw new Error(`run ${i} did not fire`)
      s.clock.advance(137 + ((i * 389) % 1500)) // run duration 0.1–1.6 s
      s.finish(task)
    }
    expect(s.fired).toHaveLength(100)
    expect(s.fired.map((f) => f.at - T0)).toEqual(Array.from({ length: 100 }, (_, i) => (i + 1) * 2000))
    s.scheduler.stop()
  })

  test('after downtime each task catches up once at start, then resumes its schedule', () => {
    const s = setup()
    const every = s.addTask('every-minute', 'interval', '1m', T0 - 3_600_000)
    const cron = s.addTask('cron', 'cron', '*/5 * * * *', T0 - 7_200_000)
    const once = s.addTask('once', 'once', 'x', T0 - 86_400_000)
    s.scheduler.start()
    expect(s.fired.map((f) => f.id).sort()).toEqual(['cron', 'every-minute', 'once'])
    expect(s.fired.every((f) => f.at === T0)).toBe(true)
    s.clock.advance(10)
    for (const t of [every, cron, once]) s.finish(t)
    expect(s.repos.tasks.get('once')?.status).toBe('completed')
    // The missed hour of minutes is skipped: the next run is the next slot on the old grid.
    expect(s.repos.tasks.get('every-minute')?.nextRunAt).toBe(T0 + 60_000)
    expect(s.repos.tasks.get('cron')?.nextRunAt).toBe(T0 + 300_000 - (T0 % 300_000))
    s.clock.advance(59_000)
    expect(s.fired).toHaveLength(3)
    s.scheduler.stop()
  })

  test('paused tasks do not fire; resuming re-arms', () => {
    const s = setup()
    const task = s.addTask('p', 'interval', '1s', T0 + 1000)
    s.repos.tasks.update(task.id, { status: 'paused' })
    s.bus.publish({ type: 'task.updated', group: 'team', task })
    s.scheduler.start()
    s.clock.advance(10_000)
    expect(s.fired).toEqual([])
    const resumed = s.repos.tasks.update(task.id, { status: 'active', nextRunAt: T0 + 11_000 })
    s.bus.publish({ type: 'task.updated', group: 'team', task: resumed })
    s.clock.advance(1000)
    expect(s.fired.map((f) => f.id)).toEqual(['p'])
    s.scheduler.stop()
  })

  test('a long wait is split so wall-clock jumps are noticed', () => {
    const s = setup()
    s.addTask('far', 'once', 'x', T0 + 30 * 86_400_000)
    s.scheduler.start()
    expect(s.clock.pending()).toEqual([T0 + 3_600_000])
    s.scheduler.stop()
  })

  test('stop() clears the timer and ignores later task events', () => {
    const s = setup()
    s.addTask('a', 'once', 'x', T0 + 1000)
    s.scheduler.start()
    s.scheduler.stop()
    expect(s.clock.pending()).toEqual([])
    s.addTask('b', 'once', 'x', T0 + 2000)
    expect(s.clock.pending()).toEqual([])
    s.clock.advance(5000)
    expect(s.fired).toEqual([])
  })

  test('a stopped scheduler with the real clock lets the process exit', async () => {
    const script = `
      import { createEventBus } from ${JSON.stringify(join(import.meta.dir, '../../../src/core/events.ts'))}
      import { createScheduler } from ${JSON.stringify(join(import.meta.dir, '../../../src/core/scheduler/scheduler.ts'))}
      import { systemClock } from ${JSON.stringify(join(import.meta.dir, '../../../src/util/clock.ts'))}
      import { createMemoryLogger } from ${JSON.stringify(join(import.meta.dir, '../../../src/util/log.ts'))}
      const s = createScheduler({ tasks: { due: () => [], nextDueAt: () => Date.now() + 600000 },
        enqueueTask() {}, bus: createEventBus(), clock: systemClock, log: createMemoryLogger() })
      s.start(); s.stop(); console.log('stopped')`
    const started = performance.now()
    const { code, stdout } = await runBunScript(script)
    expect(stdout).toBe('stopped\n')
    expect(code).toBe(0)
    expect(performance.now() - started).toBeLessThan(5000)
  })
})
