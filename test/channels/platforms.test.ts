import { describe, expect, test } from 'bun:test'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { createCliChannel } from '../../src/channels/cli/index.ts'
import {
  createPlatformChannels,
  PLATFORMS,
  type PlatformRow,
  platformRow,
  platformState,
} from '../../src/channels/platforms.ts'
import { loadConfig } from '../../src/config/load.ts'
import { SETTINGS } from '../../src/config/sources.ts'
import { createWebhookRouter } from '../../src/core/channel/webhooks.ts'
import { createMemoryLogger } from '../../src/util/log.ts'
import { tempDir } from '../helpers/temp.ts'

const SRC_CHANNELS = join(import.meta.dir, '..', '..', 'src', 'channels')
/** Folders under src/channels/ that are not chat platforms: the shared leaf and ngb's own channels. */
const NOT_PLATFORMS = ['shared', 'web', 'cli']

const configWith = (env: Record<string, string>) =>
  loadConfig({ env: { NGB_DATA_DIR: tempDir(), ...env } }).config

function row(name: string) {
  const r = platformRow(name)
  if (!r) throw new Error(`no platform row ${name}`)
  return r
}

describe('the platform table', () => {
  test('one row per platform folder, and one folder with an index.ts per row', () => {
    const folders = readdirSync(SRC_CHANNELS, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !NOT_PLATFORMS.includes(e.name))
      .map((e) => e.name)
      .sort()
    expect(PLATFORMS.map((p) => p.name).sort()).toEqual(folders)
    for (const p of PLATFORMS) expect(existsSync(join(SRC_CHANNELS, p.name, 'index.ts'))).toBe(true)
  })

  test('a row’s credentials are among its settings and are masked as secrets', () => {
    for (const p of PLATFORMS) {
      expect(p.secretKeys.length).toBeGreaterThan(0)
      for (const k of p.secretKeys) {
        expect(p.configKeys).toContain(k)
        expect(SETTINGS[k].secret).toBe(true)
      }
      for (const k of p.requiredKeys ?? []) expect(p.configKeys).toContain(k)
    }
    const owners = PLATFORMS.flatMap((p) => p.configKeys)
    expect(new Set(owners).size).toBe(owners.length)
  })

  test('state: off with no credential, ready with all, incomplete names the missing variable', () => {
    expect(platformState(row('slack'), configWith({}))).toEqual({ state: 'off' })
    expect(
      platformState(row('slack'), configWith({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })),
    ).toEqual({
      state: 'ready',
    })
    expect(platformState(row('slack'), configWith({ SLACK_BOT_TOKEN: 'xoxb-1' }))).toEqual({
      state: 'incomplete',
      missing: ['SLACK_APP_TOKEN'],
    })
  })

  test('a required id counts like a credential: without it the platform is incomplete, not ready', () => {
    const secrets = { QQ_APP_SECRET: 's' }
    expect(platformState(row('qq'), configWith(secrets))).toEqual({
      state: 'incomplete',
      missing: ['QQ_APP_ID'],
    })
    expect(platformState(row('qq'), configWith({ ...secrets, QQ_APP_ID: '1' }))).toEqual({ state: 'ready' })
    expect(platformState(row('whatsapp'), configWith({}))).toEqual({ state: 'off' })
  })

  test('building starts exactly the ready rows and warns about a half-configured one', async () => {
    const log = createMemoryLogger()
    const config = configWith({
      TELEGRAM_BOT_TOKEN: '123:abc',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
      SLACK_BOT_TOKEN: 'xoxb-1',
    })
    const channels = await createPlatformChannels(config, {
      assistantName: 'Andy',
      log,
      hooks: createWebhookRouter({ log }),
    })
    expect(channels.map((c) => c.name)).toEqual(['telegram'])
    expect(log.records.some((r) => r.level === 'warn' && r.msg.includes('SLACK_APP_TOKEN'))).toBe(true)
  })

  test('a row added to the table is built through its own factory, only when its credentials are set', async () => {
    const extra: PlatformRow = {
      name: 'cli',
      label: 'Demo',
      configKeys: ['telegramBotToken'],
      secretKeys: ['telegramBotToken'],
      create: async () => createCliChannel(),
    }
    const log = createMemoryLogger()
    const deps = { assistantName: 'Andy', log, hooks: createWebhookRouter({ log }) }
    expect(await createPlatformChannels(configWith({}), deps, [extra])).toEqual([])
    const built = await createPlatformChannels(configWith({ TELEGRAM_BOT_TOKEN: '1:x' }), deps, [extra])
    expect(built.map((c) => c.name)).toEqual(['cli'])
  })
})
