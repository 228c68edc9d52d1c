import { describe, expect, test } from 'bun:test'
import type { BudgetGate } from '../../../src/core/budget/gate.ts'
import { createBudgetGate } from '../../../src/core/budget/gate.ts'
import type { BudgetLimits } from '../../../src/core/types.ts'
import { systemClock } from '../../../src/util/clock.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { createFakeRunner, lastMessageText } from '../../fakes/fake-runner.ts'
import { createTestCore } from '../../helpers/core.ts'

/** A core whose `main` group already spent $0.02 today, under a global budget the test sets. */
function setup(global: BudgetLimits) {
  const runner = createFakeRunner({ onStart: (t) => t.result(`mock: ${lastMessageText(t.req.prompt)}`) })
  let gate: BudgetGate | undefined
  const limits = { current: global }
  const core = createTestCore({
    runner,
    budget: { check: (group, chatJid) => gate?.check(group, chatJid) ?? 'ok' },
  })
  core.groups.createGroup({ folder: 'main' })
  const now = Date.now()
  core.repos.runs.start({ id: 'spent', groupFolder: 'main', trigger: 'web', startedAt: now })
  core.repos.runs.finish('spent', {
    finishedAt: now,
    status: 'ok',
    bytesOut: 0,
    usage: {
      inputTokens: 1,
      outputTokens: 1,
      cacheWriteTokens: 0,
      cacheReadTokens: 0,
      costUsd: 0.02,
      apiCalls: 1,
      apiMs: 1,
    },
  })
  gate = createBudgetGate({
    usage: core.repos.usage,
    notices: core.repos.budgetNotices,
    global: () => limits.current,
    group: (folder) => core.groups.get(folder),
    mainChat: () => 'web:main',
    tell: (chatJid, text, group) => core.outbound.deliver({ chatJid, text, group }),
    enqueue: (folder) => core.orchestrator.queue.enqueue(folder),
    enqueueTask: (task) => core.orchestrator.queue.enqueueTask(task),
    bus: core.bus,
    clock: systemClock,
    log: createMemoryLogger(),
    timezone: 'UTC',
  })
  return { core, runner, gate, limits }
}

const isOut = (text: string) => (e: { type: string; message?: { text: string } }) =>
  e.type === 'message.out' && e.message?.text.startsWith(text) === true

describe('budget gate in the pipeline (fake runner, real SQLite)', () => {
  test('hold: no run, one notice, the messages answered once the budget is raised', async () => {
    const { core, runner, gate, limits } = setup({ dailyUsd: 0.01, policy: 'hold' })
    await core.orchestrator.start()
    await core.web.post('main', 'first')
    await core.waitFor(isOut('All groups together reached the global daily budget of $0.01, $0.02 used'))
    await core.web.post('main', 'second')
    // The 80% warning went to the main chat once, the notice to this chat once.
    expect(core.outTexts().filter((t) => t.includes('budget'))).toEqual([
      'All groups together have used 200% of the daily budget ($0.02 of $0.01).',
      'All groups together reached the global daily budget of $0.01, $0.02 used; it resets at 00:00 UTC. ' +
        'Your messages are kept and answered then, or as soon as the budget is raised.',
    ])
    expect(runner.turns).toHaveLength(0)
    limits.current = { dailyUsd: 1 }
    gate.recheck()
    await core.waitFor(isOut('mock: second'))
    expect(runner.turns).toHaveLength(1)
    expect(runner.turns[0]?.req.prompt).toContain('first')
    await core.orchestrator.stop(1000)
  })

  test('drop: the notice says so, the cursor moves past the messages, raising answers nothing old', async () => {
    const { core, runner, gate, limits } = setup({ dailyTokens: 1, policy: 'drop' })
    await core.orchestrator.start()
    await core.web.post('main', 'dropped')
    await core.waitFor(isOut('All groups together reached the global daily budget of 1 token,'))
    expect(core.outTexts('main').at(-1)).toContain('Messages sent until then are not answered.')
    limits.current = {}
    gate.recheck()
    await core.web.post('main', 'after')
    await core.waitFor(isOut('mock: after'))
    expect(runner.turns).toHaveLength(1)
    expect(runner.turns[0]?.req.prompt).not.toContain('dropped')
    await core.orchestrator.stop(1000)
  })
})
