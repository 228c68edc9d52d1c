import { expect, test } from 'bun:test'
import { runOnce } from '../../src/cli/run-once.ts'
import type { Group } from '../../src/core/types.ts'
import type { OutputFrame } from '../../src/protocol/container.ts'
import { createFakeRunner } from '../fakes/fake-runner.ts'
import { testDb } from '../helpers/db.ts'

const group: Group = {
  folder: 'team',
  name: 'team',
  isMain: true,
  triggerMode: 'always',
  settings: {},
  createdAt: 1,
}

test('ngb run drops a session the provider rejects and answers in a fresh one', async () => {
  const { repos } = testDb()
  repos.groups.create({ folder: 'team', name: 'team', isMain: true, triggerMode: 'always' }, 1)
  repos.sessions.set('team', 'stale', 1)
  const runner = createFakeRunner({
    onStart: (t) => {
      if (t.req.sessionId === 'stale') {
        t.emit({ type: 'error', kind: 'session_invalid', message: 'No conversation found' })
        return t.finish({ status: 'error', errorKind: 'session_invalid', error: 'No conversation found' })
      }
      t.emit({ type: 'session', sessionId: 'fresh', resumed: false })
      t.result('mock: hello')
      t.finish({ status: 'ok', sessionId: 'fresh' })
    },
  })
  const frames: OutputFrame[] = []
  let notes = 0
  const outcome = await runOnce(
    { runner, sessions: repos.sessions, now: () => 2, onFreshStart: () => notes++ },
    { group, prompt: 'hello', chatJid: 'cli:team', trigger: 'cli', onFrame: (f) => frames.push(f) },
    () => {},
  )
  expect(outcome).toMatchObject({ status: 'ok', results: ['mock: hello'] })
  expect(runner.turns.map((t) => t.req.sessionId)).toEqual(['stale', undefined])
  expect(repos.sessions.get('team')).toBe('fresh')
  expect(notes).toBe(1)
  expect(frames.some((f) => f.type === 'error')).toBe(false)
})

test('a fresh session that fails is not retried again', async () => {
  const { repos } = testDb()
  repos.groups.create({ folder: 'team', name: 'team', isMain: true, triggerMode: 'always' }, 1)
  const runner = createFakeRunner({
    onStart: (t) => t.finish({ status: 'error', errorKind: 'session_invalid', error: 'no' }),
  })
  const outcome = await runOnce(
    { runner, sessions: repos.sessions, now: () => 2, onFreshStart: () => {} },
    { group, prompt: 'hello', chatJid: 'cli:team', trigger: 'cli' },
    () => {},
  )
  expect(outcome.status).toBe('error')
  expect(runner.turns).toHaveLength(1)
})
