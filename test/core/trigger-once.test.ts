import { describe, expect, test } from 'bun:test'
import { createFakeRunner } from '../fakes/fake-runner.ts'
import { createTestCore } from '../helpers/core.ts'

/** A core whose group `team` wakes only on messages starting with "andy", posted in its web chat. */
async function patternCore() {
  const runner = createFakeRunner({ onStart: (t) => t.result('ok') })
  const core = createTestCore({ runner })
  core.groups.createGroup({ folder: 'main' })
  core.groups.createGroup({ folder: 'team', triggerMode: 'pattern', triggerPattern: '^andy' })
  await core.orchestrator.start()
  const post = async (text: string) => {
    const { jid, messageId } = await core.web.post('team', text)
    return core.repos.messages.get(jid, messageId)
  }
  return { runner, core, post }
}

describe('the trigger check happens once per message, at the inbound trigger step', () => {
  test('the decision is stored with the message; the turn reads it instead of checking again', async () => {
    const { runner, core, post } = await patternCore()
    expect((await post('the build is red'))?.triggers).toBe(false)
    // The group's rule changes afterwards: a message already decided stays decided, so waking the
    // group's queue starts no turn for it.
    core.groups.updateGroup('team', { triggerMode: 'always' })
    core.orchestrator.queue.enqueue('team')
    await core.orchestrator.stop(5000)
    expect(runner.turns).toHaveLength(0)
  })

  test('a triggering message is marked, and brings the earlier ones along as context', async () => {
    const { runner, post } = await patternCore()
    await post('the build is red')
    expect((await post('andy, why?'))?.triggers).toBe(true)
    const [turn] = await runner.waitForTurns(1)
    expect(turn?.req.prompt).toContain('the build is red')
    expect(turn?.req.chatJid).toBe('web:team')
  })
})
