import { describe, expect, test } from 'bun:test'
import { BUILTIN_PLUGINS } from '../../src/plugins/builtin/index.ts'
import { createPluginManager } from '../../src/plugins/manager.ts'
import { createMemoryLogger } from '../../src/util/log.ts'
import { createWebPlugins } from '../../src/web/adapters/plugins.ts'
import { testDb } from '../helpers/db.ts'
import { createTestWeb } from './harness.ts'

/** The Plugins page over a real plugin manager: it shows what the host runs, and saving changes it. */
describe('Plugins page', async () => {
  const manager = createPluginManager({
    log: createMemoryLogger(),
    base: { assistantName: 'Andy', reply: async () => {} },
    store: testDb().repos.pluginState,
    builtins: BUILTIN_PLUGINS,
    extra: [
      {
        name: 'flaky',
        onMessage: () => {
          throw new Error('flaky <failed>')
        },
      },
    ],
    now: () => 1_700_000_000_000,
  })
  const web = await createTestWeb({ services: { plugins: createWebPlugins(manager) } })
  const message = {
    chatJid: 'web:main',
    id: 'm1',
    seq: 1,
    senderJid: 'web:admin',
    senderName: 'admin',
    text: 'hi',
    ts: 1,
    fromBot: false,
    isGroup: false,
    mentionsBot: true,
  }

  test('the live status table shows source, state, error count and the last error (escaped)', async () => {
    let status = await web.call('GET', '/plugins/status')
    expect(status.text).toContain('hx-trigger="every 2s, plugins-changed from:body"')
    expect(status.text).toMatch(/flaky<\/td><td>code<\/td><td><\/td><td><span class="badge s-active">running/)
    await manager.host.chain('onMessage', message)
    status = await web.call('GET', '/plugins/status')
    expect(status.text).toContain('onMessage: flaky &lt;failed&gt;')
    expect(status.text).toMatch(/<td>1<\/td>/)
    const page = await web.call('GET', '/plugins')
    expect(page.text).toContain('id="plugins-status"')
    expect(page.text).toContain('id="plugin-rate-limiter"')
  })

  test('enabling a built-in on the page puts it into the running chain; a bad config is refused', async () => {
    expect(manager.host.list().map((p) => p.name)).toEqual(['flaky'])
    const toggled = await web.call('POST', '/plugins/auto-reply/enable')
    // The page's status table listens for this event, so it follows at once.
    expect(toggled.headers.get('hx-trigger')).toBe('plugins-changed')
    expect(manager.host.list().map((p) => p.name)).toEqual(['auto-reply', 'flaky'])
    const bad = await web.call('PUT', '/api/plugins/auto-reply/config', {
      config: { rules: [{ pattern: '(x)\\1', reply: 'x' }] },
    })
    expect(bad.status).toBe(422)
    expect(bad.json).toMatchObject({ error: 'invalid_input' })
    expect((await web.call('GET', '/api/plugins')).json.find((p) => p.name === 'auto-reply')).toMatchObject({
      running: true,
      source: 'builtin',
      config: { rules: [] },
    })
  })
})
