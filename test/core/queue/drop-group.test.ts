import { expect, test } from 'bun:test'
import type { MessageTurnResult, TurnControl } from '../../../src/core/queue/group-queue.ts'
import { createGroupQueue } from '../../../src/core/queue/group-queue.ts'
import { systemClock } from '../../../src/util/clock.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { waitFor } from '../../helpers/wait.ts'

test('dropping a deleted group kills its live turn, forgets its waiting work, never retries it, frees the slot', async () => {
  const started: string[] = []
  const killed: string[] = []
  const gaveUp: string[] = []
  const finish = new Map<string, (r: MessageTurnResult) => void>()
  const queue = createGroupQueue({
    maxConcurrent: 1,
    retryBaseMs: 1,
    maxRetries: 3,
    clock: systemClock,
    log: createMemoryLogger(),
    runMessages(folder: string, control: TurnControl) {
      started.push(folder)
      control.setLive({
        followUp: () => false,
        closeWhenIdle: () => {},
        kill: async () => {
          killed.push(folder)
          // The killed container ends its turn as a failure, as the runner reports it.
          finish.get(folder)?.({ status: 'failed', error: 'killed', chatJid: `web:${folder}` })
        },
      })
      return new Promise<MessageTurnResult>((resolve) => finish.set(folder, resolve))
    },
    runTask: async () => {},
    onGiveUp: (folder) => gaveUp.push(folder),
  })
  queue.enqueue('doomed')
  queue.enqueue('other') // waits for the single slot
  queue.enqueue('doomed') // a follow-up the live turn refuses: pending again
  await queue.dropGroup('doomed')
  // The dropped turn's end frees the slot for the waiting group.
  await waitFor(() => started.includes('other'), 'the waiting group to start')
  expect(killed).toEqual(['doomed'])
  expect(started).toEqual(['doomed', 'other'])
  expect(gaveUp).toEqual([])
  expect(queue.snapshot().groups.map((g) => g.folder)).toEqual(['other'])
  finish.get('other')?.({ status: 'ok' })
  await queue.stop(1000)
})
