import { describe, expect, test } from 'bun:test'
import type { LiveTurn, MessageTurnResult, TurnControl } from '../../../src/core/queue/group-queue.ts'
import { createGroupQueue } from '../../../src/core/queue/group-queue.ts'
import type { Task } from '../../../src/core/types.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { createManualClock } from '../../fakes/manual-clock.ts'
import { settle } from '../../helpers/wait.ts'

function deferred<T>() {
  let resolve: (v: T) => void = () => {}
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

const task = (id: string, groupFolder: string): Task => ({
  id,
  groupFolder,
  chatJid: `web:${groupFolder}`,
  prompt: 'p',
  scheduleType: 'once',
  scheduleValue: '',
  contextMode: 'isolated',
  status: 'active',
  createdAt: 0,
})

/** A queue whose message turns and task runs finish when the test says so. */
function harness(maxConcurrent: number) {
  const log: string[] = []
  const turns = new Map<
    string,
    { done: (r: MessageTurnResult) => void; live: LiveTurn & { followUps: number; closeAsked: boolean } }
  >()
  const tasks = new Map<string, () => void>()
  const clock = createManualClock(1_000_000)
  const queue = createGroupQueue({
    maxConcurrent,
    retryBaseMs: 1,
    maxRetries: 1,
    clock,
    log: createMemoryLogger(),
    runMessages(folder: string, control: TurnControl) {
      log.push(`messages:${folder}`)
      const d = deferred<MessageTurnResult>()
      const live = {
        followUps: 0,
        closeAsked: false,
        followUp: () => {
          live.followUps++
          return true
        },
        closeWhenIdle: () => {
          live.closeAsked = true
        },
        kill: async () => {},
      }
      control.setLive(live)
      turns.set(folder, { done: d.resolve, live })
      return d.promise
    },
    runTask(t) {
      log.push(`task:${t.id}`)
      const d = deferred<void>()
      tasks.set(t.id, () => d.resolve())
      return d.promise
    },
    onGiveUp: (folder) => log.push(`gave-up:${folder}`),
  })
  return { queue, log, turns, tasks, clock }
}

const tick = settle

describe('group queue', () => {
  test('a second enqueue for a running group is a follow-up, not a second turn', () => {
    const h = harness(2)
    h.queue.enqueue('a')
    h.queue.enqueue('a')
    expect(h.log).toEqual(['messages:a'])
    expect(h.turns.get('a')?.live.followUps).toBe(1)
  })

  test('a task never joins a live message container: it waits, and asks the container to close when idle', async () => {
    const h = harness(2)
    h.queue.enqueue('a')
    h.queue.enqueueTask(task('t1', 'a'))
    expect(h.turns.get('a')?.live.closeAsked).toBe(true)
    expect(h.log).toEqual(['messages:a'])
    h.turns.get('a')?.done({ status: 'ok' })
    await tick()
    expect(h.log).toEqual(['messages:a', 'task:t1'])
    // While the task runs, messages wait instead of following up into it.
    h.queue.enqueue('a')
    expect(h.log).toEqual(['messages:a', 'task:t1'])
    h.tasks.get('t1')?.()
    await tick()
    expect(h.log).toEqual(['messages:a', 'task:t1', 'messages:a'])
  })

  test('tasks run before messages when a slot frees; the same task id is queued once', async () => {
    const h = harness(1)
    h.queue.enqueue('a')
    h.queue.enqueue('b')
    h.queue.enqueueTask(task('t', 'c'))
    h.queue.enqueueTask(task('t', 'c'))
    h.turns.get('a')?.done({ status: 'ok' })
    await tick()
    expect(h.log).toEqual(['messages:a', 'task:t'])
    h.tasks.get('t')?.()
    await tick()
    expect(h.log).toEqual(['messages:a', 'task:t', 'messages:b'])
    expect(h.queue.snapshot().active).toBe(1)
  })

  test('a failed turn frees its slot during backoff and gives up after maxRetries', async () => {
    const h = harness(1)
    h.queue.enqueue('a')
    h.turns.get('a')?.done({ status: 'failed', error: 'x', chatJid: 'web:a' })
    await tick()
    expect(h.queue.snapshot().active).toBe(0)
    h.queue.enqueue('b')
    expect(h.log).toEqual(['messages:a', 'messages:b'])
    h.turns.get('b')?.done({ status: 'ok' })
    await tick()
    // The retry waits for its backoff (retryBaseMs 1 × 2^0), on the queue's clock.
    h.clock.advance(1)
    expect(h.log).toEqual(['messages:a', 'messages:b', 'messages:a'])
    h.turns.get('a')?.done({ status: 'failed', error: 'x', chatJid: 'web:a' })
    await tick()
    expect(h.log.at(-1)).toBe('gave-up:a')
  })

  test('while a group waits for a slot, live containers are asked to close once idle', async () => {
    const h = harness(1)
    h.queue.enqueue('a')
    expect(h.turns.get('a')?.live.closeAsked).toBe(false)
    h.queue.enqueue('b')
    expect(h.turns.get('a')?.live.closeAsked).toBe(true)
    h.turns.get('a')?.done({ status: 'ok' })
    await tick()
    // b got the slot, and c is already waiting: b is asked to close as soon as it has answered.
    h.queue.enqueue('c')
    expect(h.turns.get('b')?.live.closeAsked).toBe(true)
  })

  test('stop() refuses new work and waits for running turns', async () => {
    const h = harness(2)
    h.queue.enqueue('a')
    const stopped = h.queue.stop(2000)
    expect(h.turns.get('a')?.live.closeAsked).toBe(true)
    h.queue.enqueue('b')
    h.turns.get('a')?.done({ status: 'ok' })
    await stopped
    expect(h.log).toEqual(['messages:a'])
  })
})
