import { describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describeConfig, loadConfig } from '../../src/config/load.ts'
import { ConfigError } from '../../src/core/errors.ts'
import { tempDir } from '../helpers/temp.ts'

function expectConfigError(fn: () => unknown, key: string, pattern: RegExp) {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).key).toBe(key)
    expect((error as Error).message).toMatch(pattern)
    return
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig', () => {
  test('applies defaults when nothing is set', () => {
    const dir = tempDir()
    const { config, sources } = loadConfig({ env: { HOME: dir } })
    expect(config.dataDir).toBe(join(dir, '.local/share/nanogridbot'))
    expect(config.webHost).toBe('127.0.0.1')
    expect(config.webPort).toBe(8080)
    expect(config.maxConcurrent).toBe(5)
    expect(sources.webPort).toBe('default')
  })

  test('layers defaults < .env < ngb.toml < environment < flags', () => {
    const dataDir = tempDir()
    writeFileSync(
      join(dataDir, '.env'),
      'NGB_WEB_PORT=1111\nNGB_ASSISTANT_NAME=FromDotenv\nNGB_MAX_CONCURRENT=3\n',
    )
    const toml = join(dataDir, 'ngb.toml')
    writeFileSync(toml, '[web]\nport = 2222\n[queue]\nmax_concurrent = 4\n')
    const { config, sources } = loadConfig({
      env: { NGB_DATA_DIR: dataDir, NGB_CONFIG: toml, NGB_MAX_CONCURRENT: '7' },
      overrides: { webHost: '0.0.0.0' },
    })
    expect(config.assistantName).toBe('FromDotenv')
    expect(sources.assistantName).toBe('dotenv')
    expect(config.webPort).toBe(2222)
    expect(sources.webPort).toBe('toml')
    expect(config.maxConcurrent).toBe(7)
    expect(sources.maxConcurrent).toBe('env')
    expect(config.webHost).toBe('0.0.0.0')
    expect(sources.webHost).toBe('flag')
  })

  test('a bad environment value names the variable, the source and the problem', () => {
    expectConfigError(
      () => loadConfig({ env: { HOME: tempDir(), NGB_WEB_PORT: 'abc' } }),
      'webPort',
      /NGB_WEB_PORT = "abc" from environment: expected a whole number/,
    )
    expectConfigError(
      () => loadConfig({ env: { HOME: tempDir(), NGB_WEB_PORT: '70000' } }),
      'webPort',
      /must be at most 65535/,
    )
    expectConfigError(
      () => loadConfig({ env: { HOME: tempDir(), NGB_CONTAINER_NETWORK: 'overlay' } }),
      'containerNetwork',
      /expected one of bridge, none, host/,
    )
    expectConfigError(
      () => loadConfig({ env: { HOME: tempDir(), NGB_TZ: 'Mars/Olympus' } }),
      'timezone',
      /IANA time zone/,
    )
    expectConfigError(
      () => loadConfig({ env: { HOME: tempDir(), NGB_DEBUG: 'maybe' } }),
      'debug',
      /expected true\/false/,
    )
  })

  test('a bad value in the .env file names that file', () => {
    const dataDir = tempDir()
    writeFileSync(join(dataDir, '.env'), 'NGB_MAX_CONCURRENT=0\n')
    expectConfigError(
      () => loadConfig({ env: { NGB_DATA_DIR: dataDir } }),
      'maxConcurrent',
      new RegExp(`from ${join(dataDir, '.env')}: must be at least 1`),
    )
  })

  test('a malformed .env line is reported with its line number', () => {
    const dataDir = tempDir()
    writeFileSync(join(dataDir, '.env'), '# comment\nNGB_WEB_PORT=1\nthis is not a setting\n')
    expectConfigError(
      () => loadConfig({ env: { NGB_DATA_DIR: dataDir } }),
      '.env',
      /\.env:3: expected KEY=VALUE/,
    )
  })

  test('ngb.toml errors: missing file, bad syntax, unknown key, wrong type', () => {
    const dir = tempDir()
    expectConfigError(
      () => loadConfig({ env: { HOME: dir }, configFile: join(dir, 'nope.toml') }),
      'config',
      /does not exist/,
    )
    const bad = join(dir, 'bad.toml')
    writeFileSync(bad, '[web\nport = 1')
    expectConfigError(
      () => loadConfig({ env: { HOME: dir }, configFile: bad }),
      'config',
      /is not valid TOML/,
    )
    const unknown = join(dir, 'unknown.toml')
    writeFileSync(unknown, '[web]\nprot = 8080\n')
    expectConfigError(
      () => loadConfig({ env: { HOME: dir }, configFile: unknown }),
      'web.prot',
      /unknown setting "web.prot"/,
    )
    const wrongType = join(dir, 'type.toml')
    writeFileSync(wrongType, '[web]\nport = "eighty"\n')
    expectConfigError(
      () => loadConfig({ env: { HOME: dir }, configFile: wrongType }),
      'webPort',
      /from .*type\.toml: expected a whole number/,
    )
  })

  test('the hard timeout must leave at least 30 s beyond the idle timeout', () => {
    expectConfigError(
      () =>
        loadConfig({ env: { HOME: tempDir(), NGB_IDLE_TIMEOUT_MS: '60000', NGB_HARD_TIMEOUT_MS: '70000' } }),
      'hardTimeoutMs',
      /at least NGB_IDLE_TIMEOUT_MS \+ 30000/,
    )
  })

  test('secret values are never shown, not even in an error message', () => {
    const secret = 'sk-ant-super-secret-value'
    const loaded = loadConfig({ env: { HOME: tempDir(), ANTHROPIC_API_KEY: secret } })
    const shown = describeConfig(loaded)
    expect(shown.find((r) => r.env === 'ANTHROPIC_API_KEY')?.value).toBe('********')
    expect(JSON.stringify(shown)).not.toContain(secret)
    try {
      loadConfig({ env: { HOME: tempDir(), NGB_ADMIN_PASSWORD: '   ' } })
      throw new Error('expected failure')
    } catch (error) {
      expect((error as Error).message).toContain('(secret)')
    }
  })
})
