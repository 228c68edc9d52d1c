import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { createEventBus } from '../../src/core/events.ts'
import type { DeliveryRequest } from '../../src/core/outbound/deliver.ts'
import { createRunTask } from '../../src/core/scheduler/run-task.ts'
import { createTaskRuntime } from '../../src/core/task-runtime.ts'
import type { Task } from '../../src/core/types.ts'
import { atomicWriteJson } from '../../src/protocol/ipc-files.ts'
import { createMemoryLogger } from '../../src/util/log.ts'
import { createFakeRunner } from '../fakes/fake-runner.ts'
import { createManualClock } from '../fakes/manual-clock.ts'
import { boundGroupsOf, testDb } from '../helpers/db.ts'
import { hourlyTask } from '../helpers/tasks.ts'
import { tempDir } from '../helpers/temp.ts'

const T0 = 1_800_000_000_000

test('an agent schedules a task through IPC; the scheduler runs it on time and delivers the result', async () => {
  const { repos } = testDb()
  repos.groups.create({ folder: 'main', name: 'Main', isMain: true, triggerMode: 'always' }, T0)
  repos.groups.create({ folder: 'alpha', name: 'Alpha', triggerMode: 'always' }, T0)
  repos.chats.upsert({ jid: 'telegram:group:2', platform: 'telegram', isGroup: true }, T0)
  repos.chats.bind('telegram:group:2', 'alpha', T0)
  const ipcDir = tempDir('ngb-rt-')
  const clock = createManualClock(T0)
  const bus = createEventBus()
  const delivered: DeliveryRequest[] = []
  const runner = createFakeRunner({
    script: (req) => ({ frames: [{ type: 'result', text: `did: ${req.prompt}` }] }),
  })
  const running: Array<Promise<void>> = []
  const log = createMemoryLogger()
  const deliver = async (req: DeliveryRequest) => {
    delivered.push(req)
    return { sent: true as const }
  }
  // As the composition root builds them: the task runs first, then the scheduler that feeds them.
  const runTask = createRunTask({
    tasks: repos.tasks,
    groups: repos.groups,
    sessions: repos.sessions,
    runner,
    deliver,
    writeSnapshots: () => {},
    bus,
    clock,
    log,
    timezone: 'UTC',
  })
  const rt = createTaskRuntime({
    repos,
    ...boundGroupsOf(repos),
    deliver,
    enqueueTask: (task: Task) => running.push(runTask(task)),
    bus,
    clock,
    log,
    timezone: 'UTC',
    ipcDir,
  })
  const created = new Promise<Task>((resolve) => bus.on('task.created', (e) => resolve(e.task)))
  rt.start()
  atomicWriteJson(join(ipcDir, 'alpha', 'tasks'), {
    type: 'schedule_task',
    prompt: 'water the plants',
    scheduleType: 'interval',
    scheduleValue: '2s',
    targetJid: 'telegram:group:2',
  })
  const task = await created
  expect(task).toMatchObject({ groupFolder: 'alpha', chatJid: 'telegram:group:2', nextRunAt: T0 + 2000 })
  for (let k = 1; k <= 3; k++) {
    clock.advance(2000)
    await Promise.all(running)
  }
  expect(repos.tasks.runs(task.id).map((r) => [r.startedAt - T0, r.status])).toEqual([
    [6000, 'ok'],
    [4000, 'ok'],
    [2000, 'ok'],
  ])
  expect(delivered).toEqual(
    Array.from({ length: 3 }, () => ({
      chatJid: 'telegram:group:2',
      text: 'did: water the plants',
      group: 'alpha',
    })),
  )
  expect(runner.requests.every((r) => r.group.folder === 'alpha' && r.isScheduledTask)).toBe(true)
  await rt.stop()
  expect(clock.pending()).toEqual([])
})

test('start() closes task runs a crash left running', async () => {
  const { repos } = testDb()
  repos.groups.create({ folder: 'main', name: 'Main', isMain: true, triggerMode: 'always' }, T0)
  repos.tasks.create(
    hourlyTask('task-x', 'main', { chatJid: 'web:main', nextRunAt: T0 + 3_600_000, createdAt: T0 }),
  )
  repos.tasks.startRun('task-x', T0 - 5000, 'run-cut')
  const clock = createManualClock(T0)
  const rt = createTaskRuntime({
    repos,
    groupOfChat: () => undefined,
    registerGroup: () => {
      throw new Error('unused')
    },
    deliver: async () => ({ sent: true }),
    enqueueTask: () => {},
    bus: createEventBus(),
    clock,
    log: createMemoryLogger(),
    timezone: 'UTC',
    ipcDir: tempDir('ngb-rt-'),
  })
  rt.start()
  await rt.stop()
  expect(repos.tasks.runs('task-x')).toEqual([
    {
      id: 1,
      taskId: 'task-x',
      runId: 'run-cut',
      startedAt: T0 - 5000,
      finishedAt: T0,
      status: 'error',
      error: 'ngb stopped during this run',
      result: undefined,
    },
  ])
})
