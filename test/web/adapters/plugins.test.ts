import { describe, expect, test } from 'bun:test'
import { createPluginHost } from '../../../src/plugins/host.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { createWebPlugins } from '../../../src/web/adapters/plugins.ts'
import { createTestWeb } from '../harness.ts'

describe('plugins page and API', () => {
  test('with no plugin loaded, the page says so and offers no switch or config editor', async () => {
    const web = await createTestWeb()
    const page = await web.call('GET', '/plugins')
    expect(page.status).toBe(200)
    expect(page.text).toContain('No plugins are loaded')
    expect(page.text).not.toContain('Disable')
    expect(page.text).not.toContain('textarea')
    expect(page.text).not.toContain('rate-limiter')
  })

  test('lists what the plugin host runs, with its real hook counters', async () => {
    const context = { assistantName: 'Andy', reply: async () => {} }
    const host = createPluginHost({ log: createMemoryLogger() }, [
      { name: 'shout', onBeforeSend: (o) => ({ ...o, text: o.text.toUpperCase() }) },
      {
        name: 'broken',
        onAfterRun: () => {
          throw new Error('boom')
        },
      },
    ])
    await host.chain('onBeforeSend', { chatJid: 'web:main', text: 'hi' }, context)
    await host.notify('onAfterRun', { group: 'main', runId: 'r1', status: 'ok', results: 1 }, context)
    const web = await createTestWeb({ services: { plugins: createWebPlugins({ host }) } })
    expect((await web.call('GET', '/api/plugins')).json as unknown).toEqual([
      { name: 'shout', hooks: ['onBeforeSend'], calls: 1, errors: 0, timeouts: 0 },
      { name: 'broken', hooks: ['onAfterRun'], calls: 1, errors: 1, timeouts: 0, lastError: 'boom' },
    ])
    const page = await web.call('GET', '/plugins')
    expect(page.text).toContain('shout')
    expect(page.text).toContain('boom')
    expect(page.text).not.toContain('No plugins are loaded')
  })
})
