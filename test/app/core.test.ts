import { describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createFakeRunner, lastMessageText } from '../fakes/fake-runner.ts'
import { createTestCore } from '../helpers/core.ts'

describe('the core as src/app/core.ts composes it', () => {
  test('a message turn writes the agent snapshots before its container starts', async () => {
    const seen: string[] = []
    let core: ReturnType<typeof createTestCore> | undefined
    const runner = createFakeRunner({
      onStart: (t) => {
        const file = join(core?.paths.ipc ?? '', 'main', 'available_groups.json')
        seen.push(existsSync(file) ? readFileSync(file, 'utf8') : 'missing')
        t.result(`mock: ${lastMessageText(t.req.prompt)}`)
      },
    })
    core = createTestCore({ runner })
    core.groups.createGroup({ folder: 'main' })
    await core.orchestrator.start()
    await core.web.post('main', 'hello')
    await core.waitFor((e) => e.type === 'message.out' && e.message.text === 'mock: hello')
    expect(seen).toHaveLength(1)
    expect(JSON.parse(seen[0] ?? '[]')).toEqual([
      { folder: 'main', name: 'main', isMain: true, chats: ['web:main'] },
    ])
  })

  test('a plugin reply goes out through the outbound path, like any reply', async () => {
    const runner = createFakeRunner()
    const core = createTestCore({
      runner,
      plugins: [
        {
          name: 'echo-ack',
          onMessage: async (m, ctx) => {
            await ctx.reply(m.chatJid, `ack: ${m.text}`)
            return null
          },
        },
      ],
    })
    core.groups.createGroup({ folder: 'main' })
    await core.orchestrator.start()
    await core.web.post('main', 'ping')
    await core.waitFor((e) => e.type === 'message.out' && e.message.text === 'ack: ping')
    expect(runner.turns).toHaveLength(0)
  })
})
