import { describe, expect, test } from 'bun:test'
import { createCliChannel } from '../../../src/channels/cli/index.ts'
import { PLATFORMS } from '../../../src/channels/platforms.ts'
import { loadConfig } from '../../../src/config/load.ts'
import { createChannelRegistry } from '../../../src/core/channel/registry.ts'
import { createEventBus } from '../../../src/core/events.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { applyChannelFlags, createWebChannels } from '../../../src/web/adapters/channels.ts'
import { testDb } from '../../helpers/db.ts'
import { tempDir } from '../../helpers/temp.ts'

async function setup() {
  const { repos } = testDb()
  const bus = createEventBus()
  const registry = createChannelRegistry({ bus, log: createMemoryLogger() })
  registry.add(createCliChannel())
  await registry.connectAll(() => {})
  const { config } = loadConfig({ env: { NGB_DATA_DIR: tempDir() } })
  return { repos, bus, registry, channels: createWebChannels({ config, bus, meta: repos.meta, registry }) }
}

describe('channels on the dashboard', () => {
  test('disable disconnects the live channel at once; enable reconnects it', async () => {
    const { registry, channels } = await setup()
    expect(channels.list().find((c) => c.name === 'cli')?.status).toBe('connected')
    expect((await channels.setEnabled('cli', false)).status).toBe('disabled')
    expect(registry.list().find((c) => c.name === 'cli')?.health.status).toBe('disconnected')
    expect((await channels.setEnabled('cli', true)).status).toBe('connected')
  })

  test('an unconfigured platform cannot be enabled; an unknown one does not exist', async () => {
    const { channels } = await setup()
    expect(channels.list().find((c) => c.name === 'telegram')).toMatchObject({
      configured: false,
      detail: 'no credentials configured',
    })
    await expect(channels.setEnabled('telegram', true)).rejects.toThrow('no credentials')
    await expect(channels.setEnabled('myspace', true)).rejects.toThrow('does not exist')
  })

  test('a channel disabled before a restart stays disconnected after it', async () => {
    const { repos, registry } = await setup()
    repos.meta.set('channel.cli.enabled', 'false')
    expect(await applyChannelFlags(registry, repos.meta)).toEqual(['cli'])
    expect(registry.list().find((c) => c.name === 'cli')?.health.status).toBe('disconnected')
  })

  test('lists only the built-in channels and the platform rows, whatever variables are set', async () => {
    const { repos, bus, registry } = await setup()
    const { config } = loadConfig({
      env: {
        NGB_DATA_DIR: tempDir(),
        WHATSAPP_ACCESS_TOKEN: 't',
        WHATSAPP_PHONE_NUMBER_ID: '1',
        FEISHU_APP_ID: 'a',
        FEISHU_APP_SECRET: 's',
        SLACK_BOT_TOKEN: 'xoxb-1',
      },
    })
    const channels = createWebChannels({ config, bus, meta: repos.meta, registry })
    expect(channels.list().map((c) => c.name)).toEqual(['web', 'cli', ...PLATFORMS.map((p) => p.name)])
    expect(channels.list().find((c) => c.name === 'slack')).toMatchObject({
      configured: false,
      detail: 'credentials incomplete: set SLACK_APP_TOKEN',
    })
    await expect(channels.setEnabled('myspace', true)).rejects.toThrow('does not exist')
  })
})
