import type { Config, ConfigKey } from '../config/schema.ts'
import { SETTINGS } from '../config/sources.ts'
import type { Channel } from '../core/channel/channel.ts'
import type { Logger } from '../util/log.ts'

/** What the composition root hands every platform factory besides its own settings. */
export interface PlatformDeps {
  assistantName: string
  log: Logger
}

/**
 * One chat platform ngb has an adapter for. This row is the only place that knows a platform exists:
 * building the channels (`ngb serve`), the dashboard's Channels page, `ngb doctor` and
 * `ngb config show` all read it. Adding a platform = its folder under `src/channels/<name>/` plus one
 * row below.
 */
export interface PlatformRow {
  /** Registry name and JID prefix (`telegram:<chat id>`). */
  name: string
  /** How people write it, for the dashboard and the CLI. */
  label: string
  /** Every setting of this platform (credentials included), in the order `ngb config show` prints them. */
  configKeys: readonly ConfigKey[]
  /** The credentials; the platform starts only when every one of them is set. */
  secretKeys: readonly ConfigKey[]
  /**
   * Builds the channel. The platform's SDK is imported here, lazily, so ngb starts fast and a platform
   * nobody configured costs nothing. Called only when `platformState` is `ready`.
   */
  create(config: Config, deps: PlatformDeps): Promise<Channel>
  /**
   * Checks the credentials against the platform's own API (`ngb init` asks before it writes them):
   * resolves to the bot's name there, throws a ChannelError saying what the platform answered.
   */
  verify?(config: Config): Promise<string>
}

/** A config value is "set" when it is present and not an empty string. */
const isSet = (config: Config, key: ConfigKey) => {
  const value = config[key]
  return value !== undefined && value !== ''
}

/** Reads a credential the row's `secretKeys` promised is set (platformState checked it). */
function secret(config: Config, key: ConfigKey): string {
  const value = config[key]
  return typeof value === 'string' ? value : ''
}

export const PLATFORMS: readonly PlatformRow[] = [
  {
    name: 'telegram',
    label: 'Telegram',
    configKeys: ['telegramBotToken', 'telegramApiRoot', 'telegramWebhookUrl', 'telegramWebhookPort'],
    secretKeys: ['telegramBotToken'],
    async create(config, deps) {
      const { createTelegramChannel } = await import('./telegram/index.ts')
      return createTelegramChannel({
        token: secret(config, 'telegramBotToken'),
        apiRoot: config.telegramApiRoot,
        assistantName: deps.assistantName,
        log: deps.log,
        webhook: config.telegramWebhookUrl
          ? { url: config.telegramWebhookUrl, port: config.telegramWebhookPort ?? 8443 }
          : undefined,
      })
    },
    async verify(config) {
      const { verifyTelegramToken } = await import('./telegram/verify.ts')
      return verifyTelegramToken(secret(config, 'telegramBotToken'), config.telegramApiRoot)
    },
  },
  {
    name: 'discord',
    label: 'Discord',
    configKeys: ['discordBotToken', 'discordApiBase', 'discordGatewayUrl'],
    secretKeys: ['discordBotToken'],
    async create(config, deps) {
      const { createDiscordChannel } = await import('./discord/index.ts')
      return createDiscordChannel({
        token: secret(config, 'discordBotToken'),
        apiBase: config.discordApiBase,
        assistantName: deps.assistantName,
        log: deps.log,
      })
    },
    async verify(config) {
      const { verifyDiscordToken } = await import('./discord/verify.ts')
      return verifyDiscordToken(secret(config, 'discordBotToken'), config.discordApiBase)
    },
  },
  {
    name: 'slack',
    label: 'Slack',
    configKeys: ['slackBotToken', 'slackAppToken', 'slackApiUrl'],
    secretKeys: ['slackBotToken', 'slackAppToken'],
    async create(config, deps) {
      const { createSlackChannel } = await import('./slack/index.ts')
      return createSlackChannel({
        botToken: secret(config, 'slackBotToken'),
        appToken: secret(config, 'slackAppToken'),
        apiUrl: config.slackApiUrl,
        assistantName: deps.assistantName,
        log: deps.log,
      })
    },
    async verify(config) {
      const { verifySlackTokens } = await import('./slack/verify.ts')
      return verifySlackTokens(
        secret(config, 'slackBotToken'),
        secret(config, 'slackAppToken'),
        config.slackApiUrl,
      )
    },
  },
]

/**
 * `off`: no credential set. `ready`: all set, the channel starts. `incomplete`: some set, the platform
 * stays off and `missing` names the variables to add (a half-configured platform is a mistake worth
 * reporting, not a silent no).
 */
export type PlatformState = { state: 'off' } | { state: 'ready' } | { state: 'incomplete'; missing: string[] }

export function platformState(row: PlatformRow, config: Config): PlatformState {
  const missing = row.secretKeys.filter((k) => !isSet(config, k))
  if (missing.length === 0) return { state: 'ready' }
  if (missing.length === row.secretKeys.length) return { state: 'off' }
  return { state: 'incomplete', missing: missing.map((k) => SETTINGS[k].env) }
}

export function platformRow(name: string): PlatformRow | undefined {
  return PLATFORMS.find((p) => p.name === name)
}

/** The channels of every platform whose credentials are all set; a half-configured one is logged. */
export async function createPlatformChannels(
  config: Config,
  deps: PlatformDeps,
  rows: readonly PlatformRow[] = PLATFORMS,
): Promise<Channel[]> {
  const channels: Channel[] = []
  for (const row of rows) {
    const s = platformState(row, config)
    if (s.state === 'ready') channels.push(await row.create(config, deps))
    else if (s.state === 'incomplete')
      deps.log.warn(`${row.label} needs ${s.missing.join(' and ')} too; ${row.label} stays off`, {
        component: 'channels',
      })
  }
  return channels
}
