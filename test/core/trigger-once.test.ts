import { describe, expect, test } from 'bun:test'
import type { InboundMessage } from '../../src/channels/channel.ts'
import { createFakeRunner } from '../fakes/fake-runner.ts'
import { createTestCore } from '../helpers/core.ts'

const inRoom = (id: string, text: string): InboundMessage => ({
  jid: 'cli:group:room',
  senderJid: 'cli:bob',
  senderName: 'Bob',
  messageId: id,
  text,
  isGroup: true,
  mentionsBot: false,
})

describe('the trigger check happens once per message, at the inbound trigger step', () => {
  test('the decision is stored with the message; the turn reads it instead of checking again', async () => {
    const runner = createFakeRunner({ onStart: (t) => t.result('ok') })
    const core = createTestCore({ runner })
    core.groups.createGroup({ folder: 'main' })
    core.groups.createGroup({ folder: 'team' })
    core.groups.bind('cli:group:room', 'team')
    await core.orchestrator.start()
    expect((await core.orchestrator.inbound.handle(inRoom('1', 'the build is red'))).kind).toBe('stored')
    expect(core.repos.messages.get('cli:group:room', '1')?.triggers).toBe(false)
    // The group's rule changes afterwards: a message already decided stays decided, so waking the
    // group's queue starts no turn for it.
    core.groups.updateGroup('team', { triggerMode: 'always' })
    core.orchestrator.queue.enqueue('team')
    await core.orchestrator.stop(5000)
    expect(runner.turns).toHaveLength(0)
  })

  test('a triggering message is marked, and brings the earlier ones along as context', async () => {
    const runner = createFakeRunner({ onStart: (t) => t.result('ok') })
    const core = createTestCore({ runner })
    core.groups.createGroup({ folder: 'main' })
    core.groups.createGroup({ folder: 'team' })
    core.groups.bind('cli:group:room', 'team')
    await core.orchestrator.start()
    await core.orchestrator.inbound.handle(inRoom('1', 'the build is red'))
    expect((await core.orchestrator.inbound.handle(inRoom('2', '@Andy why?'))).kind).toBe('queued')
    expect(core.repos.messages.get('cli:group:room', '2')?.triggers).toBe(true)
    const [turn] = await runner.waitForTurns(1)
    expect(turn?.req.prompt).toContain('the build is red')
    expect(turn?.req.chatJid).toBe('cli:group:room')
  })
})
