import { expect, test } from 'bun:test'
import type { Channel } from '../../src/core/channel/channel.ts'
import { ChannelError } from '../../src/core/errors.ts'
import { createFakeRunner } from '../fakes/fake-runner.ts'
import { createTestCore } from '../helpers/core.ts'
import { waitFor } from '../helpers/wait.ts'

/** A chat platform whose second send fails once for good (a gateway down past the retries). */
function flakyChannel() {
  const sent: string[] = []
  let failed = false
  const channel: Channel = {
    name: 'flaky',
    maxMessageLength: 12,
    async connect() {},
    async disconnect() {},
    async send(_jid, text) {
      if (!failed && sent.length === 1) {
        failed = true
        throw new ChannelError('gateway down', { retryable: false })
      }
      sent.push(text)
      return { messageId: String(sent.length) }
    },
    health: () => ({ status: 'connected' }),
  }
  return { channel, sent }
}

test('a reply whose middle chunk fails is retried with the turn and resumes: every chunk once, in order', async () => {
  const reply = 'aaaa bbbb\ncccc dddd\neeee ffff'
  const runner = createFakeRunner({
    onStart: (t) => {
      t.result(reply)
      t.finish()
    },
  })
  const flaky = flakyChannel()
  const core = createTestCore({ runner, channels: [flaky.channel] })
  core.groups.createGroup({ folder: 'main' })
  core.repos.chats.upsert({ jid: 'flaky:dm:1', platform: 'flaky', isGroup: false }, Date.now())
  core.repos.chats.bind('flaky:dm:1', 'main', Date.now())
  await core.orchestrator.start()
  await core.orchestrator.inbound.handle({
    jid: 'flaky:dm:1',
    senderJid: 'flaky:bob',
    senderName: 'Bob',
    messageId: 'm1',
    text: 'tell me',
    isGroup: false,
    mentionsBot: false,
  })
  await core.waitFor((e) => e.type === 'message.out' && e.message.chatJid === 'flaky:dm:1')
  expect(flaky.sent).toEqual(['aaaa bbbb', 'cccc dddd', 'eeee ffff'])
  // The failed turn was retried once; the second turn's reply completed the first one.
  await waitFor(() => runner.turns.length === 2, 'the retried turn')
  expect(core.repos.messages.page('flaky:dm:1').filter((m) => m.fromBot)).toHaveLength(1)
})
