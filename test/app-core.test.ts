import { afterAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { createCore, createRuntime } from '../src/app.ts'
import { loadConfig } from '../src/config/load.ts'
import type { NgbEvent } from '../src/core/events.ts'
import { createFakeRunner, lastMessageText } from './fakes/fake-runner.ts'
import { recordEvents } from './helpers/events.ts'
import { tempDir } from './helpers/temp.ts'

// Registered before tempDir's own afterAll, so the runtime stops before its directory is removed.
afterAll(async () => {
  await rt.shutdown.run('test done')
})
const dir = tempDir('ngb-core-')
const rt = createRuntime({
  loaded: loadConfig({ env: { NGB_DATA_DIR: join(dir, 'data'), HOME: dir } }),
  consoleStream: null,
})

describe('createCore (composition root)', () => {
  test('web posts go through the pipeline and the group agent answers on the bus', async () => {
    const runner = createFakeRunner({ onStart: (t) => t.result(`mock: ${lastMessageText(t.req.prompt)}`) })
    const core = createCore(rt, { runner, removeOrphans: async () => 0 })
    await core.orchestrator.start()
    rt.shutdown.add({ name: 'orchestrator', run: () => core.orchestrator.stop(1000) })
    core.groups.createGroup({ folder: 'main' })
    const replies: NgbEvent[] = []
    core.bus.on('message.out', (e) => replies.push(e))
    const recorded = recordEvents(core.bus)
    const posted = await core.web.post('main', 'ping', { name: 'Ann' })
    expect(rt.repos.messages.get(posted.jid, posted.messageId)).toMatchObject({
      chatJid: 'web:main',
      text: 'ping',
      senderName: 'Ann',
      fromBot: false,
    })
    await recorded.waitFor((e) => e.type === 'message.out')
    expect(replies.map((e) => (e.type === 'message.out' ? e.message.text : ''))).toEqual(['mock: ping'])
    expect(rt.repos.chats.get('web:main')?.name).toBe('Dashboard (main)')
    // A web chat for a folder with no group is stored, unbound and silent.
    await core.web.post('nope', 'x')
    expect(rt.repos.chats.bindingOf('web:nope')).toBeUndefined()
    runner.turns[0]?.finish()
  })
})
