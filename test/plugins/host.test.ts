import { describe, expect, test } from 'bun:test'
import type { StoredMessage } from '../../src/core/types.ts'
import { createPluginHost } from '../../src/plugins/host.ts'
import type { Plugin } from '../../src/plugins/plugin.ts'
import { createMemoryLogger } from '../../src/util/log.ts'

const base = { assistantName: 'Andy', reply: async () => {} }
const message = (text: string): StoredMessage => ({
  chatJid: 'cli:room',
  id: 'm1',
  seq: 1,
  senderJid: 'cli:bob',
  senderName: 'Bob',
  text,
  ts: 1,
  fromBot: false,
  isGroup: false,
  mentionsBot: false,
})

describe('plugin host: the hook chain', () => {
  test('hooks run in order, each seeing the previous result; undefined leaves the value', async () => {
    const seen: string[] = []
    const host = createPluginHost({ log: createMemoryLogger(), context: base }, [
      { name: 'a', onMessage: (m) => ({ ...m, text: `${m.text}-a` }) },
      {
        name: 'b',
        onMessage: (m) => {
          seen.push(m.text)
          return undefined
        },
      },
      { name: 'c', onMessage: async (m) => ({ ...m, text: `${m.text}-c` }) },
    ])
    expect((await host.chain('onMessage', message('x')))?.text).toBe('x-a-c')
    expect(seen).toEqual(['x-a'])
  })

  test('hooks are called as methods: `this` is the plugin object', async () => {
    const plugin = {
      name: 'methods',
      suffix: '!',
      onMessage(this: { suffix: string }, m: StoredMessage) {
        return { ...m, text: m.text + this.suffix }
      },
    }
    const host = createPluginHost({ log: createMemoryLogger(), context: base }, [plugin])
    expect((await host.chain('onMessage', message('x')))?.text).toBe('x!')
  })

  test('null stops the chain: later plugins are not called', async () => {
    let later = 0
    const host = createPluginHost({ log: createMemoryLogger(), context: base }, [
      { name: 'drop', onMessage: () => null },
      {
        name: 'later',
        onMessage: () => {
          later++
          return undefined
        },
      },
    ])
    expect(await host.chain('onMessage', message('x'))).toBeNull()
    expect(later).toBe(0)
  })

  test('a throw, a hang past the time limit and a wrong result are skipped, counted and kept as last error', async () => {
    const errors: string[] = []
    const host = createPluginHost(
      {
        log: createMemoryLogger(),
        context: base,
        hookTimeoutMs: 50,
        onError: (s, hook) => errors.push(`${s.name}/${hook}`),
      },
      [
        {
          name: 'throws',
          onMessage: () => {
            throw new Error('boom')
          },
        },
        { name: 'hangs', onMessage: () => new Promise<undefined>(() => {}) },
        { name: 'wrong', onMessage: () => 'not a message' as unknown as StoredMessage },
        { name: 'ok', onMessage: (m) => ({ ...m, text: `${m.text}!` }) },
      ],
    )
    const started = performance.now()
    expect((await host.chain('onMessage', message('x')))?.text).toBe('x!')
    expect(performance.now() - started).toBeLessThan(1000)
    const stats = Object.fromEntries(host.stats().map((s) => [s.name, s]))
    expect(stats.throws).toMatchObject({ errors: 1, lastError: 'onMessage: boom' })
    expect(stats.hangs).toMatchObject({
      errors: 1,
      timeouts: 1,
      lastError: 'onMessage: timed out after 50 ms',
    })
    expect(stats.wrong?.errors).toBe(1)
    expect(stats.wrong?.lastError).toContain('without a string "text"')
    expect(stats.ok).toMatchObject({ errors: 0, calls: 1 })
    expect(errors).toEqual(['throws/onMessage', 'hangs/onMessage', 'wrong/onMessage'])
  })

  test('notify hooks are isolated too; each plugin gets its own context', async () => {
    const names: string[] = []
    const host = createPluginHost({ log: createMemoryLogger(), context: base }, [
      {
        name: 'bad',
        onAfterRun: () => {
          throw new Error('nope')
        },
      },
      {
        name: 'good',
        onAfterRun: (_r, ctx) => {
          names.push(ctx.name)
          ctx.state.set('k', 'v')
          names.push(ctx.state.get('k') ?? '')
        },
      },
    ])
    await host.notify('onAfterRun', { group: 'g', runId: 'r', status: 'ok', results: 1 })
    expect(names).toEqual(['good', 'v'])
    expect(host.statsOf('bad')?.errors).toBe(1)
  })

  test('a swap mid-chain does not affect the chain under way; has() follows the swap; stats are kept', async () => {
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => {
      release = r
    })
    const slow: Plugin = {
      name: 'slow',
      onMessage: async (m) => {
        await gate
        return { ...m, text: `${m.text}-slow` }
      },
    }
    const tail: Plugin = { name: 'tail', onMessage: (m) => ({ ...m, text: `${m.text}-tail` }) }
    const host = createPluginHost({ log: createMemoryLogger(), context: base }, [slow, tail])
    const pending = host.chain('onMessage', message('x'))
    host.setPlugins([{ name: 'other', onBeforeSend: (o) => o }])
    expect(host.has('onMessage')).toBe(false)
    expect(host.has('onBeforeSend')).toBe(true)
    release()
    expect((await pending)?.text).toBe('x-slow-tail')
    expect(host.statsOf('slow')?.calls).toBe(1)
    expect(host.stats().map((s) => s.name)).toEqual(['other'])
  })
})
