import { beforeEach, describe, expect, test } from 'bun:test'
import { InvalidInputError, NotFoundError } from '../../src/core/errors.ts'
import type { NgbEvent } from '../../src/core/events.ts'
import { createEventBus } from '../../src/core/events.ts'
import type { TasksService } from '../../src/core/tasks.ts'
import { createTasksService } from '../../src/core/tasks.ts'
import { createManualClock } from '../fakes/manual-clock.ts'
import { testDb } from '../helpers/db.ts'

const T0 = Date.parse('2026-06-01T10:00:00Z')

function setup() {
  const { repos } = testDb()
  repos.groups.create({ folder: 'main', name: 'Main', isMain: true, triggerMode: 'always' }, T0)
  repos.groups.create({ folder: 'team', name: 'Team', triggerMode: 'mention' }, T0)
  const bus = createEventBus()
  const events: NgbEvent[] = []
  bus.on('*', (e) => events.push(e))
  const clock = createManualClock(T0)
  const svc = createTasksService({
    tasks: repos.tasks,
    groups: repos.groups,
    chats: repos.chats,
    bus,
    clock,
    timezone: 'Europe/Berlin',
  })
  return { repos, svc, events, clock }
}

const base = { groupFolder: 'team', chatJid: 'telegram:group:42', prompt: 'summarise the day' }

describe('tasks service', () => {
  let ctx: ReturnType<typeof setup>
  let svc: TasksService
  beforeEach(() => {
    ctx = setup()
    svc = ctx.svc
  })

  test('creates a cron task with its first run in the configured zone and announces it', () => {
    const task = svc.create({ ...base, scheduleType: 'cron', scheduleValue: '0 9 * * 1-5' })
    expect(task.id).toMatch(/^task-\d+-[a-z0-9]+$/)
    expect(task.status).toBe('active')
    expect(task.contextMode).toBe('isolated')
    expect(new Date(task.nextRunAt ?? 0).toISOString()).toBe('2026-06-02T07:00:00.000Z')
    expect(ctx.repos.tasks.get(task.id)).toEqual(task)
    expect(ctx.events).toEqual([{ type: 'task.created', group: 'team', task }])
  })

  test('an interval task first runs one interval from now; a once "now" task is due at once', () => {
    expect(svc.create({ ...base, scheduleType: 'interval', scheduleValue: '5m' }).nextRunAt).toBe(
      T0 + 300_000,
    )
    expect(svc.create({ ...base, scheduleType: 'once', scheduleValue: 'now' }).nextRunAt).toBe(T0)
  })

  test.each([
    [{ groupFolder: 'nope' }, NotFoundError, /group "nope" does not exist/],
    [{ chatJid: 'not-a-jid' }, InvalidInputError, /invalid chat id/],
    [{ scheduleType: 'hourly' }, InvalidInputError, /use cron, interval or once/],
    [{ scheduleValue: '61 * * * *' }, InvalidInputError, /invalid cron/],
    [{ contextMode: 'shared' }, InvalidInputError, /invalid context mode/],
    [{ prompt: '   ' }, InvalidInputError, /prompt is empty/],
  ])('refuses %p with a clear error', (patch, cls, message) => {
    const input = { ...base, scheduleType: 'cron', scheduleValue: '0 9 * * *', ...patch }
    expect(() => svc.create(input)).toThrow(cls)
    expect(() => svc.create(input)).toThrow(message)
    expect(ctx.repos.tasks.list()).toEqual([])
    expect(ctx.events).toEqual([])
  })

  test('pause, resume and cancel change status, keep the grid and announce each change', () => {
    const task = svc.create({ ...base, scheduleType: 'interval', scheduleValue: '10s' })
    expect(svc.pause(task.id).status).toBe('paused')
    ctx.clock.advance(35_000)
    const resumed = svc.resume(task.id)
    expect(resumed.status).toBe('active')
    expect(resumed.nextRunAt).toBe(T0 + 40_000)
    const cancelled = svc.cancel(task.id)
    expect(cancelled.id).toBe(task.id)
    expect(ctx.repos.tasks.get(task.id)).toBeUndefined()
    expect(ctx.events.map((e) => e.type)).toEqual([
      'task.created',
      'task.updated',
      'task.updated',
      'task.deleted',
    ])
  })

  test('unknown ids are NotFoundError naming the id', () => {
    for (const op of [svc.get, svc.pause, svc.resume, svc.cancel, svc.runs]) {
      expect(() => op('task-404')).toThrow(/task "task-404" does not exist/)
    }
  })

  test('a completed once task cannot be paused or resumed, but a new time reactivates it', () => {
    const task = svc.create({ ...base, scheduleType: 'once', scheduleValue: 'now' })
    ctx.repos.tasks.update(task.id, { status: 'completed', nextRunAt: undefined })
    expect(() => svc.pause(task.id)).toThrow(/has completed/)
    expect(() => svc.resume(task.id)).toThrow(/has completed/)
    const again = svc.update(task.id, { scheduleValue: '2026-06-01T13:00' })
    expect(again.status).toBe('active')
    expect(new Date(again.nextRunAt ?? 0).toISOString()).toBe('2026-06-01T11:00:00.000Z')
  })

  test('lists per group and returns run history newest first', () => {
    const a = svc.create({ ...base, scheduleType: 'interval', scheduleValue: '1h' })
    svc.create({ ...base, groupFolder: 'main', scheduleType: 'interval', scheduleValue: '1h' })
    expect(svc.list({ groupFolder: 'team' }).map((t) => t.id)).toEqual([a.id])
    expect(svc.list()).toHaveLength(2)
    const r1 = ctx.repos.tasks.startRun(a.id, T0)
    ctx.repos.tasks.finishRun(r1, T0 + 10, 'ok', 'done')
    ctx.repos.tasks.startRun(a.id, T0 + 20)
    expect(svc.runs(a.id).map((r) => r.status)).toEqual(['running', 'ok'])
  })
})
