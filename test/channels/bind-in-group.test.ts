import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { ContractHarness } from '../contract/channel-contract.ts'
import { createFakeRunner } from '../fakes/fake-runner.ts'
import { createTestCore } from '../helpers/core.ts'
import { startTelegramHarness } from './telegram/harness.ts'

// Telegram's privacy mode (the default) shows a bot only the group messages that mention it, so
// a group is bound by "@bot ngb-…", which the adapter turns into "@Andy ngb-…".
let h: ContractHarness
let core: ReturnType<typeof createTestCore>

beforeAll(async () => {
  h = await startTelegramHarness()
  core = createTestCore({ runner: createFakeRunner(), channels: [h.channel] })
  core.groups.createGroup({ folder: 'team' })
  await core.orchestrator.start()
})
afterAll(async () => {
  await core.orchestrator.stop(2000)
  await h.stop()
})

test('a bind token addressed to the bot binds an unbound group chat', async () => {
  const token = core.groups.createBindToken('team').token
  h.injectGroup(token, { mention: true })
  const [reply] = await h.waitForSent(h.groupJid, 1)
  expect(reply).toContain('now connected')
  expect(core.groups.groupOfChat(h.groupJid)?.folder).toBe('team')
})
