import { describe, expect, test } from 'bun:test'
import type { NgbEvent } from '../../src/core/events.ts'
import { notifyGroupHooks } from '../../src/plugins/group-hooks.ts'
import type { RunSummary } from '../../src/plugins/plugin.ts'
import { createFakeRunner, lastMessageText } from '../fakes/fake-runner.ts'
import { createTestCore } from '../helpers/core.ts'
import { waitFor } from '../helpers/wait.ts'

const outEvent = (text: string) => (e: NgbEvent) => e.type === 'message.out' && e.message.text === text

/** Every hook of DESIGN §7 in the in-process pipeline (fake runner, real SQLite). */
describe('plugin hooks in the pipeline', () => {
  test('onBeforeRun rewrites the prompt or cancels the run; onAfterRun sees the result', async () => {
    const runner = createFakeRunner({ onStart: (t) => t.result(`mock: ${lastMessageText(t.req.prompt)}`) })
    const runs: RunSummary[] = []
    const core = createTestCore({
      runner,
      plugins: [
        {
          name: 'gate',
          onBeforeRun: (r) =>
            r.prompt.includes('cancel me') ? null : { ...r, prompt: r.prompt.replace('please', 'PLEASE') },
          onAfterRun: (run) => {
            runs.push(run)
          },
        },
      ],
    })
    core.groups.createGroup({ folder: 'main' })
    await core.orchestrator.start()
    await core.web.post('main', 'cancel me')
    await core.web.post('main', 'please answer')
    await core.waitFor(outEvent('mock: PLEASE answer'))
    expect(runner.turns).toHaveLength(1)
    runner.turns[0]?.finish()
    await waitFor(() => runs.length === 1, 'onAfterRun')
    expect(runs[0]).toMatchObject({ group: 'main', status: 'ok', results: 1 })
    expect(runs[0]?.runId).toBeString()
  })

  test('onGroupRegistered and onGroupRemoved follow the groups service', async () => {
    const seen: string[] = []
    const core = createTestCore({
      runner: createFakeRunner(),
      plugins: [
        {
          name: 'groups',
          onGroupRegistered: (g) => {
            seen.push(`+${g.folder}`)
          },
          onGroupRemoved: (folder) => {
            seen.push(`-${folder}`)
          },
        },
      ],
    })
    core.groups.createGroup({ folder: 'main' })
    notifyGroupHooks(core.bus, core.plugins, core.groups)
    core.groups.createGroup({ folder: 'team' })
    core.groups.removeGroup('team')
    await waitFor(() => seen.length === 2, 'group hooks')
    expect(seen).toEqual(['+team', '-team'])
  })

  test('a plugin that throws or hangs does not stop messages', async () => {
    const runner = createFakeRunner({ onStart: (t) => t.result(`mock: ${lastMessageText(t.req.prompt)}`) })
    const core = createTestCore({
      runner,
      plugins: [
        {
          name: 'throws',
          onMessage: () => {
            throw new Error('boom')
          },
          onBeforeSend: () => {
            throw new Error('boom')
          },
        },
        { name: 'hangs', onBeforeRun: () => new Promise<undefined>(() => {}) },
      ],
    })
    core.groups.createGroup({ folder: 'main' })
    await core.orchestrator.start()
    await core.web.post('main', 'still works')
    await core.waitFor(outEvent('mock: still works'))
    const stats = Object.fromEntries(core.plugins.stats().map((s) => [s.name, s]))
    expect(stats.throws?.errors).toBe(2)
    expect(stats.hangs?.timeouts).toBe(1)
  })
})
