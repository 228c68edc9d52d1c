import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chunkText } from '../../src/core/outbound/chunk.ts'
import type { ContractHarness } from '../contract/channel-contract.ts'
import { expectSplitCorrectly, longReply } from '../contract/long-reply.ts'
import type { FakeRunner, FakeTurn } from '../fakes/fake-runner.ts'
import { createFakeRunner, lastMessageText } from '../fakes/fake-runner.ts'
import { createTestCore } from '../helpers/core.ts'
import { startDingTalkHarness } from './dingtalk/harness.ts'
import { startDiscordHarness } from './discord/harness.ts'
import { startFeishuHarness } from './feishu/harness.ts'
import { startQqHarness } from './qq/harness.ts'
import { startSlackHarness } from './slack/harness.ts'
import { startTelegramHarness } from './telegram/harness.ts'
import { startWecomHarness } from './wecom/harness.ts'
import { startWhatsAppHarness } from './whatsapp/harness.ts'

/**
 * Each platform through the whole pipeline: its real SDK against its wire fake, inbound → SQLite →
 * trigger → queue → (fake) agent → delivery → the fake. Containers are replaced by the fake runner
 * here; test/integration/channels-serve.test.ts drives the same through `ngb serve` and Docker.
 */
const PLATFORMS: [string, () => Promise<ContractHarness>][] = [
  ['telegram', startTelegramHarness],
  ['discord', startDiscordHarness],
  ['slack', startSlackHarness],
  ['whatsapp', startWhatsAppHarness],
  ['dingtalk', startDingTalkHarness],
  ['qq', () => startQqHarness()],
  ['feishu', startFeishuHarness],
  ['wecom', startWecomHarness],
]

/** The mock agent's rule: "long" gets the 10,000-character reply, anything else is echoed. */
function answer(turn: FakeTurn, prompt: string) {
  const text = lastMessageText(prompt)
  turn.result(text.endsWith('long') ? longReply().markdown : `mock: ${text}`)
  turn.finish()
}

describe.each(PLATFORMS)('%s through the pipeline', (name, start) => {
  let h: ContractHarness
  let runner: FakeRunner
  let core: ReturnType<typeof createTestCore>
  const replyTo = async (jid: string, inject: () => string, expected: string) => {
    const before = h.sent(jid).length
    const startedAt = performance.now()
    inject()
    const sent = await h.waitForSent(jid, before + 1, 10_000)
    expect(sent.slice(before).join('\n')).toContain(expected)
    return performance.now() - startedAt
  }

  const replyToText = async (jid: string, inject: () => string) => {
    const before = h.sent(jid).length
    inject()
    return (await h.waitForSent(jid, before + 1, 10_000)).slice(before).join('\n')
  }

  beforeAll(async () => {
    h = await start()
    runner = createFakeRunner({
      onStart: (t) => answer(t, t.req.prompt),
      onFollowUp: (t, text) => answer(t, text),
    })
    core = createTestCore({ runner, channels: [h.channel] })
    core.groups.createGroup({ folder: 'admin' })
    core.groups.createGroup({ folder: 'dm', triggerMode: 'always' })
    core.groups.createGroup({ folder: 'room', triggerMode: 'mention' })
    core.groups.bind(h.dmJid, 'dm')
    core.groups.bind(h.groupJid, 'room')
    await core.orchestrator.start()
  })
  afterAll(async () => {
    await core.orchestrator.stop(5000)
    await h.stop()
  })

  test('a direct message gets the reply in the same chat, with typing while the agent works', async () => {
    const ms = await replyTo(h.dmJid, () => h.injectDm('hello there'), 'mock: hello there')
    if (h.waitForTyping) await h.waitForTyping(h.dmJid)
    expect(ms).toBeLessThan(2000)
  })

  // QQ group bots and WeCom AI bots receive only messages that @ them: there is no unmentioned text to keep.
  const quietGroupText = name === 'qq' || name === 'wecom' ? test.skip : test
  quietGroupText(
    'a group message without a mention is not answered but is context for the next mention',
    async () => {
      const quiet = h.injectGroup('the build is red since noon', { mention: false })
      await core.waitFor((e) => e.type === 'message.in' && e.message.id === quiet)
      const turns = runner.turns.length
      await replyTo(h.groupJid, () => h.injectGroup('what happened?', { mention: true }), 'what happened?')
      expect(runner.turns.length).toBe(turns + 1)
      const prompt = runner.turns.at(-1)?.req.prompt ?? ''
      expect(prompt).toContain('the build is red since noon')
      expect(prompt).toContain('@Andy what happened?')
      expect(h.sent(h.groupJid).some((t) => t.includes('the build is red'))).toBe(false)
    },
  )

  test('a mention inside a thread is answered in that thread', async () => {
    expect(await replyToText(h.threadJid, () => h.injectThreadMention('in the thread'))).toContain(
      'in the thread',
    )
  })

  /** How many messages the long reply becomes on this platform (the delivery path's own arithmetic). */
  const longChunks = () => {
    const md = longReply().markdown
    return chunkText(h.channel.formatMarkdown?.(md) ?? md, h.channel.maxMessageLength).length
  }

  test('a 10,000-character reply with a code block arrives split correctly, in order', async () => {
    const before = h.sent(h.dmJid).length
    h.injectDm('please be long')
    const sent = await h.waitForSent(h.dmJid, before + longChunks(), 10_000)
    expectSplitCorrectly(h, sent.slice(before))
  })

  test('a 429 delays the same chunk and keeps the order', async () => {
    const before = h.attempts(h.dmJid).length
    h.failNextSend({ kind: 'rate_limit', retryAfterSeconds: 1 })
    const sentBefore = h.sent(h.dmJid).length
    h.injectDm('long')
    await h.waitForSent(h.dmJid, sentBefore + longChunks(), 10_000)
    const attempts = h.attempts(h.dmJid).slice(before)
    expect(attempts[0]?.ok).toBe(false)
    expect(attempts[1]?.text).toBe(attempts[0]?.text ?? '')
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(950)
    expectSplitCorrectly(
      h,
      attempts.filter((a) => a.ok).map((a) => a.text),
    )
  })

  test('a redelivered event is answered once', async () => {
    const before = h.sent(h.dmJid).length
    const id = h.injectDm('only once')
    await h.waitForSent(h.dmJid, before + 1)
    await h.redeliver(id)
    await replyTo(h.dmJid, () => h.injectDm('marker'), 'mock: marker')
    expect(h.sent(h.dmJid).filter((t) => t.includes('mock: only once'))).toHaveLength(1)
  })

  test('after a dropped connection the next message is still answered', async () => {
    await h.dropConnection()
    await replyTo(h.dmJid, () => h.injectDm('still there?'), 'mock: still there?')
  })

  test('/help and /status answer in an unbound chat; a bind token binds it', async () => {
    await replyTo(h.otherDmJid, () => h.injectOtherDm('/help'), 'not connected')
    await replyTo(h.otherDmJid, () => h.injectOtherDm('/status'), 'Group: none')
    const token = core.groups.createBindToken('dm').token
    await replyTo(h.otherDmJid, () => h.injectOtherDm(token), 'now connected')
    expect(core.groups.groupOfChat(h.otherDmJid)?.folder).toBe('dm')
    await replyTo(h.otherDmJid, () => h.injectOtherDm('/status'), 'Group: dm')
    expect(runner.turns.every((t) => t.req.chatJid !== h.otherDmJid)).toBe(true)
  })
})
