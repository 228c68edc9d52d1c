import { describe, expect, test } from 'bun:test'
import type { NgbEvent } from '../../../src/core/events.ts'
import { createEventBus } from '../../../src/core/events.ts'
import type { TurnRequest } from '../../../src/core/runner/types.ts'
import { createRunTask } from '../../../src/core/scheduler/run-task.ts'
import type { Task } from '../../../src/core/types.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import type { ScriptedTurn } from '../../fakes/fake-runner.ts'
import { createFakeRunner } from '../../fakes/fake-runner.ts'
import { createManualClock } from '../../fakes/manual-clock.ts'
import { testDb } from '../../helpers/db.ts'

const T0 = 1_800_000_000_000

function setup(
  script: (req: TurnRequest, n: number) => ScriptedTurn,
  opts: { failDelivery?: boolean; noChannel?: boolean } = {},
) {
  const { repos } = testDb()
  repos.groups.create({ folder: 'team', name: 'Team', triggerMode: 'always' }, T0)
  const clock = createManualClock(T0)
  const bus = createEventBus()
  const events: NgbEvent[] = []
  bus.on('*', (e) => events.push(e))
  const runner = createFakeRunner({
    script: (req, n) => {
      clock.advance(250)
      return script(req, n)
    },
  })
  const sent: Array<{ chatJid: string; text: string }> = []
  const snapshots: string[] = []
  const runTask = createRunTask({
    tasks: repos.tasks,
    groups: repos.groups,
    sessions: repos.sessions,
    runner,
    deliver: async ({ chatJid, text }) => {
      if (opts.failDelivery) throw new Error('telegram said 403')
      if (opts.noChannel) return { sent: false, reason: 'no_channel' }
      sent.push({ chatJid, text })
      return { sent: true }
    },
    writeSnapshots: (g) => snapshots.push(g.folder),
    bus,
    clock,
    log: createMemoryLogger(),
    timezone: 'UTC',
  })
  function addTask(patch: Partial<Task> = {}): Task {
    return repos.tasks.create({
      id: 'task-1',
      groupFolder: 'team',
      chatJid: 'telegram:group:7',
      prompt: 'daily report',
      scheduleType: 'interval',
      scheduleValue: '1h',
      contextMode: 'isolated',
      status: 'active',
      nextRunAt: T0,
      createdAt: T0 - 1000,
      ...patch,
    })
  }
  return { repos, clock, events, runner, sent, snapshots, runTask, addTask }
}

const answer = (...texts: string[]): ScriptedTurn => ({
  frames: [
    { type: 'session', sessionId: 'sess-new' },
    ...texts.map((text) => ({ type: 'result' as const, text })),
  ],
})

describe('runTask', () => {
  test('runs one turn, delivers every result in order to the task chat and records the run', async () => {
    const s = setup(() => answer('first', 'second'))
    const task = s.addTask()
    await s.runTask(task)
    expect(s.runner.requests).toHaveLength(1)
    expect(s.runner.requests[0]).toMatchObject({
      prompt: 'daily report',
      chatJid: 'telegram:group:7',
      trigger: 'task',
      isScheduledTask: true,
    })
    expect(s.runner.closed).toEqual(['run-1', 'run-1'])
    expect(s.snapshots).toEqual(['team'])
    expect(s.sent).toEqual([
      { chatJid: 'telegram:group:7', text: 'first' },
      { chatJid: 'telegram:group:7', text: 'second' },
    ])
    const [run] = s.repos.tasks.runs(task.id)
    expect(run).toMatchObject({ runId: 'run-1', status: 'ok', result: 'first\nsecond', startedAt: T0 })
    expect(run?.finishedAt).toBe(T0 + 250)
    const after = s.repos.tasks.get(task.id)
    expect(after).toMatchObject({ lastRunAt: T0, lastResult: 'first\nsecond', nextRunAt: T0 + 3_600_000 })
    expect(s.events.map((e) => e.type)).toEqual(['task.started', 'task.finished'])
    expect(s.events[1]).toMatchObject({ runId: 'run-1', status: 'ok', task: { nextRunAt: T0 + 3_600_000 } })
  })

  test('a once task becomes completed with no next run', async () => {
    const s = setup(() => answer('done'))
    await s.runTask(s.addTask({ scheduleType: 'once', scheduleValue: 'now' }))
    expect(s.repos.tasks.get('task-1')).toMatchObject({ status: 'completed', nextRunAt: undefined })
  })

  test('an isolated task resumes its own session scope; a group task shares the group session', async () => {
    const s = setup(() => answer('ok'))
    s.repos.sessions.set('team', 'group-sess', T0)
    s.repos.sessions.set('team', 'iso-sess', T0, 'task:task-1')
    await s.runTask(s.addTask())
    expect(s.runner.requests[0]?.sessionId).toBe('iso-sess')
    expect(s.repos.sessions.get('team', 'task:task-1')).toBe('sess-new')
    expect(s.repos.sessions.get('team')).toBe('group-sess')

    s.repos.tasks.update('task-1', { contextMode: 'group' })
    await s.runTask(s.repos.tasks.get('task-1') as Task)
    expect(s.runner.requests[1]?.sessionId).toBe('group-sess')
    expect(s.repos.sessions.get('team')).toBe('sess-new')
  })

  test('a rejected session is dropped and the turn retried once with a fresh one', async () => {
    const s = setup((req) =>
      req.sessionId
        ? {
            frames: [{ type: 'error', kind: 'session_invalid', message: 'no such session' }],
            outcome: { status: 'error', errorKind: 'session_invalid', error: 'no such session' },
          }
        : answer('fresh'),
    )
    s.repos.sessions.set('team', 'stale', T0, 'task:task-1')
    await s.runTask(s.addTask())
    expect(s.runner.requests.map((r) => r.sessionId)).toEqual(['stale', undefined])
    expect(s.sent.map((m) => m.text)).toEqual(['fresh'])
    expect(s.repos.tasks.runs('task-1').map((r) => r.status)).toEqual(['ok', 'error'])
    expect(s.repos.sessions.get('team', 'task:task-1')).toBe('sess-new')
  })

  test('a failed run is recorded as an error and the schedule still moves on', async () => {
    const s = setup(() => ({ frames: [], outcome: { status: 'error', error: 'container exited with 1' } }))
    await s.runTask(s.addTask())
    expect(s.repos.tasks.runs('task-1')[0]).toMatchObject({
      status: 'error',
      error: 'container exited with 1',
    })
    expect(s.repos.tasks.get('task-1')).toMatchObject({
      lastResult: 'Error: container exited with 1',
      nextRunAt: T0 + 3_600_000,
      status: 'active',
    })
    expect(s.events.at(-1)).toMatchObject({ type: 'task.finished', status: 'error' })
  })

  test('a delivery failure marks the run as an error', async () => {
    const s = setup(() => answer('hello'), { failDelivery: true })
    await s.runTask(s.addTask())
    expect(s.repos.tasks.runs('task-1')[0]).toMatchObject({
      status: 'error',
      error: 'delivery failed: telegram said 403',
    })
  })

  test('a chat no channel can reach marks the run as an error', async () => {
    const s = setup(() => answer('hello'), { noChannel: true })
    await s.runTask(s.addTask())
    expect(s.repos.tasks.runs('task-1')[0]).toMatchObject({
      status: 'error',
      error: 'delivery failed: no channel can send to this chat',
    })
  })

  test('a task paused or deleted while queued is skipped, and still reported finished', async () => {
    const s = setup(() => answer('never'))
    const task = s.addTask({ status: 'paused' })
    await s.runTask(task)
    s.repos.tasks.remove(task.id)
    await s.runTask(task)
    expect(s.runner.requests).toEqual([])
    expect(s.events.map((e) => [e.type, 'status' in e ? e.status : undefined])).toEqual([
      ['task.finished', 'skipped'],
      ['task.finished', 'skipped'],
    ])
  })
})
