import { describe, expect, test } from 'bun:test'
import type { InboundMessage } from '../../src/core/channel/channel.ts'
import type { NgbEvent } from '../../src/core/events.ts'
import { createFakeRunner, lastMessageText } from '../fakes/fake-runner.ts'
import { createManualClock } from '../fakes/manual-clock.ts'
import { createTestCore } from '../helpers/core.ts'
import { testDb } from '../helpers/db.ts'
import { settle, waitFor } from '../helpers/wait.ts'

/** A group-chat message from Bob in `cli:group:room`. */
const msg = (id: string, text: string): InboundMessage => ({
  jid: 'cli:group:room',
  senderJid: 'cli:bob',
  senderName: 'Bob',
  messageId: id,
  text,
  isGroup: true,
  mentionsBot: false,
})

const outEvent = (text: string) => (e: NgbEvent) => e.type === 'message.out' && e.message.text === text

describe('orchestrator pipeline (fake runner, real SQLite)', () => {
  test('a web message runs the group agent and the reply comes back as message.out and a stored bot message', async () => {
    const runner = createFakeRunner({ onStart: (t) => t.result(`mock: ${lastMessageText(t.req.prompt)}`) })
    const core = createTestCore({ runner })
    core.groups.createGroup({ folder: 'main' })
    await core.orchestrator.start()
    await core.web.post('main', 'hello <world>')
    await core.waitFor(outEvent('mock: hello &lt;world&gt;'))
    const [turn] = runner.turns
    expect(turn?.req.prompt).toMatch(
      /^<messages>\n<message sender="admin" time="[^"]+">hello &lt;world&gt;<\/message>\n<\/messages>$/,
    )
    expect(turn?.req.chatJid).toBe('web:main')
    expect(turn?.req.trigger).toBe('web')
    const stored = core.repos.messages.page('web:main')
    expect(stored.map((m) => [m.fromBot, m.text])).toEqual([
      [false, 'hello <world>'],
      [true, 'mock: hello &lt;world&gt;'],
    ])
    turn?.finish()
  })

  test('a chat command ngb answered itself is not in the next prompt', async () => {
    const runner = createFakeRunner({ onStart: (t) => t.result('ok') })
    const core = createTestCore({ runner })
    core.groups.createGroup({ folder: 'main' })
    await core.orchestrator.start()
    await core.web.post('main', '/status')
    await core.waitFor((e) => e.type === 'message.out' && e.message.text.includes('Group:'))
    await core.web.post('main', 'hello after status')
    const [turn] = await runner.waitForTurns(1)
    expect(turn?.req.prompt).toContain('>hello after status</message>')
    expect(turn?.req.prompt).not.toContain('/status')
    expect(core.repos.messages.page('web:main').map((m) => m.text)).toContain('/status')
    turn?.finish()
  })

  test('a message sent while the container runs goes in as a follow-up; replies arrive in order', async () => {
    const runner = createFakeRunner()
    const core = createTestCore({ runner })
    core.groups.createGroup({ folder: 'main' })
    await core.orchestrator.start()
    await core.web.post('main', 'first')
    const [turn] = await runner.waitForTurns(1)
    if (!turn) throw new Error('no turn')
    await core.web.post('main', 'second')
    expect(turn.followUps).toHaveLength(1)
    expect(turn.followUps[0]).toContain('>second</message>')
    expect(turn.followUps[0]).not.toContain('first')
    turn.result('reply one')
    turn.result('reply two')
    await core.waitFor(outEvent('reply two'))
    turn.finish()
    expect(runner.turns).toHaveLength(1)
    expect(core.outTexts('main')).toEqual(['reply one', 'reply two'])
  })

  test('a follow-up the container never answered is handed to the next turn, not lost', async () => {
    const runner = createFakeRunner()
    const core = createTestCore({ runner })
    core.groups.createGroup({ folder: 'main' })
    await core.orchestrator.start()
    await core.web.post('main', 'first')
    const [turn] = await runner.waitForTurns(1)
    if (!turn) throw new Error('no turn')
    turn.result('answer to first')
    // The follow-up goes in while that answer is still being delivered, then the container ends.
    await core.web.post('main', 'second')
    expect(turn.followUps).toHaveLength(1)
    turn.finish()
    const [, next] = await runner.waitForTurns(2)
    expect(next?.req.prompt).toContain('>second</message>')
    expect(next?.req.prompt).not.toContain('first')
    next?.result('answer to second')
    await core.waitFor(outEvent('answer to second'))
    next?.finish()
    expect(core.outTexts('main')).toEqual(['answer to first', 'answer to second'])
  })

  test('never more than maxConcurrent containers; waiting groups run in FIFO order and all are answered', async () => {
    const runner = createFakeRunner()
    const core = createTestCore({ runner, config: { maxConcurrent: 2 } })
    const folders = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6']
    for (const f of folders) core.groups.createGroup({ folder: f, triggerMode: 'always' })
    await core.orchestrator.start()
    await Promise.all(folders.map((f) => core.web.post(f, `hi ${f}`)))
    let maxLive = 0
    for (let i = 0; i < folders.length; i++) {
      const turn = (await runner.waitForTurns(i + 1))[i]
      if (!turn) throw new Error('missing turn')
      maxLive = Math.max(maxLive, runner.live().length)
      turn.result(`answer ${turn.req.group.folder}`)
      await core.waitFor(outEvent(`answer ${turn.req.group.folder}`))
      turn.finish()
    }
    expect(maxLive).toBe(2)
    expect(runner.turns.map((t) => t.req.group.folder)).toEqual(folders)
    expect(core.outTexts().sort()).toEqual(folders.map((f) => `answer ${f}`).sort())
  })

  test('a failing run is retried with backoff on the same messages, then the user is told', async () => {
    const runner = createFakeRunner({ onStart: (t) => t.finish({ status: 'error', error: 'exit 1' }) })
    const core = createTestCore({ runner, config: { retryBaseMs: 20, maxRetries: 2 } })
    core.groups.createGroup({ folder: 'main' })
    await core.orchestrator.start()
    await core.web.post('main', '/fail')
    const notice = await core.waitFor((e) => e.type === 'message.out' && e.message.text.startsWith('Sorry'))
    expect(notice.type === 'message.out' && notice.message.text).toContain('failed 3 times (exit 1)')
    expect(runner.turns).toHaveLength(3)
    expect(new Set(runner.turns.map((t) => t.req.prompt)).size).toBe(1)
    // The cursor was rolled back: the next message brings the failed one along.
    expect(core.repos.cursors.get('main')).toBe(0)
  })

  test('output that reached the user keeps the cursor even if the run then fails (no duplicate answer)', async () => {
    const runner = createFakeRunner({ onStart: (t) => t.result('partial answer') })
    const clock = createManualClock(Date.now())
    const core = createTestCore({ runner, clock })
    core.groups.createGroup({ folder: 'main' })
    await core.orchestrator.start()
    await core.web.post('main', 'do it')
    // The answer reached the user; then the run fails.
    await core.waitFor(outEvent('partial answer'))
    runner.turns[0]?.finish({ status: 'error', error: 'crashed' })
    await core.waitFor((e) => e.type === 'run.finished')
    await waitFor(
      () => core.orchestrator.queue.snapshot().groups.every((g) => !g.active),
      'the queue to settle',
    )
    // Any retry backoff would be due by now.
    clock.advance(60_000)
    await settle()
    expect(runner.turns).toHaveLength(1)
    expect(core.repos.cursors.get('main')).toBeGreaterThan(0)
  })

  test('the session is stored and resumed; a rejected session is dropped and the turn retried fresh once', async () => {
    const runner = createFakeRunner({
      onStart: (t) => {
        if (t.req.sessionId === 'stale')
          return t.finish({ status: 'error', errorKind: 'session_invalid', error: 'no such session' })
        t.emit({ type: 'session', sessionId: t.req.sessionId ?? 'new-session' })
        t.result(`session ${t.req.sessionId ?? 'none'}`)
        t.finish()
      },
    })
    const core = createTestCore({ runner })
    core.groups.createGroup({ folder: 'main' })
    await core.orchestrator.start()
    await core.web.post('main', 'one')
    await core.waitFor(outEvent('session none'))
    await core.waitFor((e) => e.type === 'run.finished')
    expect(core.repos.sessions.get('main')).toBe('new-session')
    core.repos.sessions.set('main', 'stale', Date.now())
    await core.web.post('main', 'two')
    await core.waitFor(
      (e) => e.type === 'message.out' && e.message.text === 'session none' && e.message.seq > 3,
    )
    expect(runner.turns.map((t) => t.req.sessionId)).toEqual([undefined, 'stale', undefined])
    expect(core.outTexts()).toEqual(['session none', 'session none'])
  })

  test('a fresh-session retry includes follow-ups the rejected container had taken', async () => {
    const runner = createFakeRunner()
    const core = createTestCore({ runner })
    core.groups.createGroup({ folder: 'main' })
    core.repos.sessions.set('main', 'stale', Date.now())
    await core.orchestrator.start()
    await core.web.post('main', 'one')
    const [rejected] = await runner.waitForTurns(1)
    await core.web.post('main', 'two')
    expect(rejected?.followUps).toHaveLength(1)
    rejected?.finish({ status: 'error', errorKind: 'session_invalid', error: 'no such session' })
    const [, fresh] = await runner.waitForTurns(2)
    expect(fresh?.req.sessionId).toBeUndefined()
    expect(fresh?.req.prompt).toContain('>one</message>')
    expect(fresh?.req.prompt).toContain('>two</message>')
    expect(core.repos.sessions.get('main')).toBeUndefined()
    fresh?.finish()
  })

  test('unbound chats are stored silently; a bind token binds the chat and confirms', async () => {
    const runner = createFakeRunner({ onStart: (t) => t.result('agent reply') })
    const core = createTestCore({ runner })
    core.groups.createGroup({ folder: 'main' })
    core.groups.createGroup({ folder: 'team', triggerMode: 'always' })
    await core.orchestrator.start()
    expect(await core.orchestrator.inbound.handle(msg('1', 'anyone?'))).toEqual({
      kind: 'stored',
      reason: 'unbound',
    })
    expect(await core.orchestrator.inbound.handle(msg('1', 'anyone?'))).toEqual({ kind: 'duplicate' })
    const token = core.groups.createBindToken('team')
    expect(await core.orchestrator.inbound.handle(msg('2', token.token))).toEqual({
      kind: 'token',
      bound: true,
      group: 'team',
    })
    expect(core.outTexts()).toEqual(['This chat is now connected to "team".'])
    expect(runner.turns).toHaveLength(0)
    const r = await core.orchestrator.inbound.handle(msg('3', 'now?'))
    expect(r.kind).toBe('queued')
    await core.waitFor(outEvent('agent reply'))
  })

  test('non-triggering messages are stored and given as context at the next trigger', async () => {
    const runner = createFakeRunner({ onStart: (t) => t.result('ok') })
    const core = createTestCore({ runner })
    core.groups.createGroup({ folder: 'main' })
    core.groups.createGroup({ folder: 'team' })
    core.groups.bind('cli:group:room', 'team')
    await core.orchestrator.start()
    expect((await core.orchestrator.inbound.handle(msg('1', 'the build is red'))).kind).toBe('stored')
    expect((await core.orchestrator.inbound.handle(msg('2', '@Andy why?'))).kind).toBe('queued')
    const [turn] = await runner.waitForTurns(1)
    expect(turn?.req.prompt).toContain('the build is red')
    expect(turn?.req.prompt).toContain('@Andy why?')
  })

  test('plugins may rewrite or drop inbound messages and outbound replies; <internal> never leaves', async () => {
    const runner = createFakeRunner({
      onStart: (t) => t.result(`<internal>thinking</internal>echo ${lastMessageText(t.req.prompt)} SECRET`),
    })
    const core = createTestCore({
      runner,
      plugins: [
        {
          name: 'rewrite',
          onMessage: (m) => (m.text === 'drop me' ? null : { ...m, text: m.text.toUpperCase() }),
          onBeforeSend: (o) => ({ ...o, text: o.text.replace('SECRET', '[hidden]') }),
        },
        {
          name: 'broken',
          onMessage: () => {
            throw new Error('boom')
          },
        },
      ],
    })
    core.groups.createGroup({ folder: 'main' })
    await core.orchestrator.start()
    await core.web.post('main', 'drop me')
    await core.web.post('main', 'shout')
    await core.waitFor(outEvent('echo SHOUT [hidden]'))
    expect(runner.turns).toHaveLength(1)
    expect(runner.turns[0]?.req.prompt).not.toContain('drop me')
    expect(core.plugins.stats().find((s) => s.name === 'broken')?.errors).toBe(1)
  })
})

describe('crash recovery', () => {
  test('a message that arrives before start() is stored, and runs only once start() has cleaned up', async () => {
    const runner = createFakeRunner({ onStart: (t) => t.result(`mock: ${lastMessageText(t.req.prompt)}`) })
    let orphansRemovedAt = -1
    const core = createTestCore({
      runner,
      removeOrphans: async () => {
        orphansRemovedAt = runner.turns.length
        return 0
      },
    })
    core.groups.createGroup({ folder: 'main' })
    // A platform adapter may hand over a message while start() is still connecting the channels.
    await core.orchestrator.inbound.handle({
      jid: 'web:main',
      senderJid: 'web:admin',
      senderName: 'admin',
      messageId: 'early-1',
      text: 'early bird',
      isGroup: false,
      mentionsBot: false,
    })
    expect(core.repos.messages.page('web:main').map((m) => m.text)).toEqual(['early bird'])
    expect(runner.turns).toHaveLength(0)
    await core.orchestrator.start()
    await core.waitFor(outEvent('mock: early bird'))
    expect(orphansRemovedAt).toBe(0)
    expect(runner.turns).toHaveLength(1)
    runner.turns[0]?.finish()
  })

  test('a run cut off before any output is answered exactly once after restart', async () => {
    const db = testDb()
    const first = createTestCore({ runner: createFakeRunner(), repos: db.repos })
    first.groups.createGroup({ folder: 'main' })
    await first.orchestrator.start()
    await first.web.post('main', 'are you there?')
    // The process "dies" here: the turn never finishes and no stop() runs.
    expect(db.repos.cursors.get('main')).toBeGreaterThan(0)

    let orphansRemoved = 0
    const runner = createFakeRunner({ onStart: (t) => t.result(`mock: ${lastMessageText(t.req.prompt)}`) })
    const second = createTestCore({ runner, repos: db.repos, removeOrphans: async () => ++orphansRemoved })
    await second.orchestrator.start()
    await second.waitFor(outEvent('mock: are you there?'))
    runner.turns[0]?.finish()
    await second.waitFor((e) => e.type === 'run.finished')
    expect(orphansRemoved).toBe(1)
    const third = createTestCore({ runner, repos: db.repos })
    await third.orchestrator.start()
    expect(runner.turns).toHaveLength(1)
    expect(db.repos.messages.page('web:main').filter((m) => m.fromBot)).toHaveLength(1)
  })
})
