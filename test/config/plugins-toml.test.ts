import { describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load.ts'
import { tempDir } from '../helpers/temp.ts'

function load(toml: string) {
  const dir = tempDir()
  const file = join(dir, 'ngb.toml')
  writeFileSync(file, toml)
  return () => loadConfig({ env: { HOME: dir }, configFile: file })
}

describe('[plugins.<name>] in ngb.toml', () => {
  test('each table is kept as the plugin config, beside the ordinary settings', () => {
    const loaded = load(
      'assistant_name = "Andy"\n[plugins.rate-limiter]\nenabled = true\nperMinute = 5\n[plugins.my-plugin]\ngreeting = "hi"\n',
    )()
    expect(loaded.plugins).toEqual({
      'rate-limiter': { enabled: true, perMinute: 5 },
      'my-plugin': { greeting: 'hi' },
    })
  })

  test('a non-table plugin entry or a non-boolean enabled is refused by name', () => {
    expect(load('plugins = 3\n')).toThrow('"plugins" must be a table')
    expect(load('[plugins]\nfoo = 1\n')).toThrow('plugins.foo must be a table')
    expect(load('[plugins.foo]\nenabled = "yes"\n')).toThrow('plugins.foo.enabled must be true or false')
  })
})
