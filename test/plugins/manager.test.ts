import { describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { StoredMessage } from '../../src/core/types.ts'
import { BUILTIN_PLUGINS } from '../../src/plugins/builtin/index.ts'
import { createPluginManager, type PluginManagerDeps } from '../../src/plugins/manager.ts'
import { watchPluginDir } from '../../src/plugins/watcher.ts'
import { createMemoryLogger } from '../../src/util/log.ts'
import { testDb } from '../helpers/db.ts'
import { tempDir } from '../helpers/temp.ts'
import { waitFor } from '../helpers/wait.ts'

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

const suffixPlugin = (name: string, suffix: string) =>
  `export default { name: '${name}', version: '${suffix}', onMessage: (m) => ({ ...m, text: m.text + '${suffix}' }) }`

function manager(over: Partial<PluginManagerDeps> = {}) {
  const store = over.store ?? testDb().repos.pluginState
  return createPluginManager({
    log: createMemoryLogger(),
    base: { assistantName: 'Andy', reply: async () => {} },
    store,
    builtins: BUILTIN_PLUGINS,
    now: () => 1,
    ...over,
  })
}

describe('plugin manager', () => {
  test('built-ins are off until enabled; ngb.toml sets enabled and options; the dashboard/CLI switch wins', () => {
    const store = testDb().repos.pluginState
    const m = manager({
      store,
      toml: { 'rate-limiter': { enabled: true, perMinute: 3 }, mention: { enabled: false } },
    })
    const view = (n: string) => m.list().find((p) => p.name === n)
    expect(view('auto-reply')).toMatchObject({ enabled: false, running: false, source: 'builtin' })
    expect(view('rate-limiter')).toMatchObject({ running: true, config: { perMinute: 3, perHour: 100 } })
    m.setEnabled('rate-limiter', false)
    m.setConfig('rate-limiter', { perMinute: 7 })
    expect(view('rate-limiter')).toMatchObject({ running: false, config: { perMinute: 7, perHour: 100 } })
    expect(m.host.list().map((p) => p.name)).toEqual([])
    // Kept in plugin_state: a new manager (a restart) sees the same.
    expect(manager({ store, toml: { 'rate-limiter': { enabled: true } } }).get('rate-limiter')).toMatchObject(
      {
        enabled: false,
        config: { perMinute: 7 },
      },
    )
    expect(() => m.setEnabled('nosuch', true)).toThrow('plugin "nosuch" does not exist')
  })

  test('plugin files load in name order; a bad file is reported, a name clash refused, state is per plugin', async () => {
    const dir = tempDir('ngb-plugins-')
    writeFileSync(join(dir, 'b.ts'), suffixPlugin('second', '-b'))
    writeFileSync(join(dir, 'a.js'), suffixPlugin('first', '-a'))
    writeFileSync(join(dir, 'c.ts'), suffixPlugin('first', '-c'))
    writeFileSync(join(dir, 'broken.ts'), 'export default { name: 42 }')
    writeFileSync(join(dir, 'syntax.ts'), 'export default {')
    writeFileSync(join(dir, '_helper.ts'), 'throw new Error("never imported")')
    writeFileSync(
      join(dir, 'stateful.ts'),
      `export default { name: 'stateful', defaults: { a: 1, b: 2 }, onMessage(m, ctx) { ctx.state.set('seen', m.text + ctx.config.b); return undefined } }`,
    )
    const store = testDb().repos.pluginState
    const m = manager({ dir, store, toml: { stateful: { b: 3 } } })
    await m.load()
    expect((await m.host.chain('onMessage', message('x')))?.text).toBe('x-a-b')
    const byName = Object.fromEntries(m.list().map((p) => [p.name, p]))
    expect(byName.first).toMatchObject({ source: 'file', version: '-a', running: true })
    expect(byName['first (c.ts)']?.lastError).toContain('already used by')
    expect(byName.broken?.lastError).toContain('name')
    expect(byName.broken?.loaded).toBe(false)
    expect(byName.syntax?.lastError).toContain('could not load')
    expect(Object.keys(byName)).not.toContain('_helper')
    expect(store.get('stateful', 'kv:seen')).toBe('x-a-b3')
    expect(byName.stateful?.config).toEqual({ a: 1, b: 3 })
    expect(store.get('stateful', 'seen')).toBeUndefined()
  })

  test('a reload picks up edits; a file that breaks keeps its last good version running, with the error shown', async () => {
    const dir = tempDir('ngb-plugins-')
    const file = join(dir, 'p.ts')
    writeFileSync(file, suffixPlugin('p', '-1'))
    const m = manager({ dir })
    const stop = watchPluginDir({ dir, log: createMemoryLogger(), debounceMs: 20, reload: () => m.load() })
    try {
      await m.load()
      expect((await m.host.chain('onMessage', message('x')))?.text).toBe('x-1')
      writeFileSync(file, suffixPlugin('p', '-2'))
      await waitFor(() => m.get('p').version === '-2', 'the watcher to reload')
      expect((await m.host.chain('onMessage', message('x')))?.text).toBe('x-2')
      writeFileSync(file, 'export default {')
      await waitFor(() => m.get('p').lastError?.includes('could not load'), 'the broken edit')
      expect((await m.host.chain('onMessage', message('x')))?.text).toBe('x-2')
    } finally {
      stop.stop()
    }
  })
})
