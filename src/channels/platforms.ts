import type { Config, ConfigKey } from '../config/schema.ts'
import { SETTINGS } from '../config/sources.ts'
import type { Channel } from '../core/channel/channel.ts'
import type { WebhookRouter } from '../core/channel/webhooks.ts'
import type { Logger } from '../util/log.ts'

/** What `ngb doctor` learns by asking the platform whether it accepts the credentials. */
export type ProbeResult = { ok: true; detail: string } | { ok: false; detail: string; hint: string }

/** What the composition root hands every platform factory besides its own settings (passed on as they are). */
export interface PlatformDeps {
  assistantName: string
  log: Logger
  /** The web server's /hooks/<platform> routes, for platforms the platform calls over HTTP. */
  hooks: WebhookRouter
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
  /** Settings that are not secret but without which it cannot start either (app ids, a phone number id). */
  requiredKeys?: readonly ConfigKey[]
  /**
   * Builds the channel. The platform's SDK is imported here, lazily, so ngb starts fast and a platform
   * nobody configured costs nothing. Called only when `platformState` is `ready`.
   */
  create(config: Config, deps: PlatformDeps): Promise<Channel>
  /**
   * Optional: asks the platform whether it accepts the credentials (a token request, a profile
   * read), without connecting. `ngb doctor` runs it for a ready row; lazily imported like `create`.
   */
  probe?(config: Config): Promise<ProbeResult>
}

/** A config value is "set" when it is present and not an empty string. */
const isSet = (config: Config, key: ConfigKey) => {
  const value = config[key]
  return value !== undefined && value !== ''
}

/**
 * The settings a platform's channel and its probe both take (credentials, API base), so a row maps
 * its config keys once; create adds what only the running channel needs.
 */
const whatsappApp = (config: Config) => ({
  accessToken: secret(config, 'whatsappAccessToken'),
  phoneNumberId: secret(config, 'whatsappPhoneNumberId'),
  apiBase: config.whatsappApiBase,
})
const dingtalkApp = (config: Config) => ({
  clientId: secret(config, 'dingtalkClientId'),
  clientSecret: secret(config, 'dingtalkClientSecret'),
  apiBase: config.dingtalkApiBase,
})
const qqApp = (config: Config) => ({
  appId: secret(config, 'qqAppId'),
  appSecret: secret(config, 'qqAppSecret'),
  apiBase: config.qqApiBase,
  tokenUrl: config.qqTokenUrl,
})
const feishuApp = (config: Config) => ({
  appId: secret(config, 'feishuAppId'),
  appSecret: secret(config, 'feishuAppSecret'),
  domain: config.feishuDomain,
})
const wecomApp = (config: Config) => ({
  corpId: secret(config, 'wecomCorpId'),
  corpSecret: secret(config, 'wecomCorpSecret'),
  agentId: secret(config, 'wecomAgentId'),
  apiBase: config.wecomApiBase,
})

/** Reads a setting the row's `secretKeys` / `requiredKeys` promised is set (platformState checked it). */
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
        ...deps,
        webhook: config.telegramWebhookUrl
          ? { url: config.telegramWebhookUrl, port: config.telegramWebhookPort ?? 8443 }
          : undefined,
      })
    },
    async probe(config) {
      const [{ verifyTelegramToken }, { probeWith }] = await Promise.all([
        import('./telegram/verify.ts'),
        import('./shared/probe.ts'),
      ])
      return probeWith(
        () => verifyTelegramToken(secret(config, 'telegramBotToken'), config.telegramApiRoot),
        {
          refused: 'copy the token @BotFather gave you into TELEGRAM_BOT_TOKEN',
          unreachable: 'check the network path to api.telegram.org (or TELEGRAM_API_ROOT)',
        },
      )
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
        ...deps,
      })
    },
    async probe(config) {
      const [{ verifyDiscordToken }, { probeWith }] = await Promise.all([
        import('./discord/verify.ts'),
        import('./shared/probe.ts'),
      ])
      return probeWith(() => verifyDiscordToken(secret(config, 'discordBotToken'), config.discordApiBase), {
        refused: 'copy the bot token from the Discord developer portal into DISCORD_BOT_TOKEN',
        unreachable: 'check the network path to discord.com (or DISCORD_API_BASE)',
      })
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
        ...deps,
      })
    },
    async probe(config) {
      const [{ verifySlackTokens }, { probeWith }] = await Promise.all([
        import('./slack/verify.ts'),
        import('./shared/probe.ts'),
      ])
      return probeWith(
        () =>
          verifySlackTokens(
            secret(config, 'slackBotToken'),
            secret(config, 'slackAppToken'),
            config.slackApiUrl,
          ),
        {
          refused:
            'copy the bot token (xoxb-) and the app-level token (xapp-, connections:write) into SLACK_BOT_TOKEN and SLACK_APP_TOKEN',
          unreachable: 'check the network path to slack.com (or SLACK_API_URL)',
        },
      )
    },
  },
  {
    name: 'whatsapp',
    label: 'WhatsApp',
    configKeys: [
      'whatsappAccessToken',
      'whatsappPhoneNumberId',
      'whatsappVerifyToken',
      'whatsappAppSecret',
      'whatsappApiBase',
    ],
    secretKeys: ['whatsappAccessToken', 'whatsappVerifyToken', 'whatsappAppSecret'],
    requiredKeys: ['whatsappPhoneNumberId'],
    async create(config, deps) {
      const { createWhatsAppChannel } = await import('./whatsapp/index.ts')
      return createWhatsAppChannel({
        ...whatsappApp(config),
        verifyToken: secret(config, 'whatsappVerifyToken'),
        appSecret: secret(config, 'whatsappAppSecret'),
        ...deps,
      })
    },
    async probe(config) {
      const { probeWhatsApp } = await import('./whatsapp/probe.ts')
      return probeWhatsApp(whatsappApp(config))
    },
  },
  {
    name: 'dingtalk',
    label: 'DingTalk',
    configKeys: ['dingtalkClientId', 'dingtalkClientSecret', 'dingtalkApiBase'],
    secretKeys: ['dingtalkClientSecret'],
    requiredKeys: ['dingtalkClientId'],
    async create(config, deps) {
      const { createDingTalkChannel } = await import('./dingtalk/index.ts')
      return createDingTalkChannel({ ...dingtalkApp(config), ...deps })
    },
    async probe(config) {
      const { probeDingTalk } = await import('./dingtalk/probe.ts')
      return probeDingTalk(dingtalkApp(config))
    },
  },
  {
    name: 'qq',
    label: 'QQ',
    configKeys: ['qqAppId', 'qqAppSecret', 'qqApiBase', 'qqTokenUrl'],
    secretKeys: ['qqAppSecret'],
    requiredKeys: ['qqAppId'],
    async create(config, deps) {
      const { createQqChannel } = await import('./qq/index.ts')
      return createQqChannel({ ...qqApp(config), ...deps })
    },
    async probe(config) {
      const { probeQq } = await import('./qq/probe.ts')
      return probeQq(qqApp(config))
    },
  },
  {
    name: 'feishu',
    label: 'Feishu/Lark',
    configKeys: [
      'feishuAppId',
      'feishuAppSecret',
      'feishuDomain',
      'feishuEventMode',
      'feishuEncryptKey',
      'feishuVerificationToken',
    ],
    secretKeys: ['feishuAppSecret'],
    requiredKeys: ['feishuAppId'],
    async create(config, deps) {
      const { createFeishuChannel } = await import('./feishu/index.ts')
      return createFeishuChannel({
        ...feishuApp(config),
        // Missing webhook keys are reported by connect() (Channels page, logs), not silently ignored.
        webhook:
          config.feishuEventMode === 'webhook'
            ? {
                hooks: deps.hooks,
                encryptKey: config.feishuEncryptKey ?? '',
                verificationToken: config.feishuVerificationToken ?? '',
              }
            : undefined,
        ...deps,
      })
    },
    async probe(config) {
      const { probeFeishu } = await import('./feishu/probe.ts')
      return probeFeishu(feishuApp(config))
    },
  },
  {
    name: 'wecom',
    label: 'WeCom (AI bot)',
    configKeys: ['wecomBotId', 'wecomBotSecret', 'wecomWsUrl'],
    secretKeys: ['wecomBotSecret'],
    requiredKeys: ['wecomBotId'],
    async create(config, deps) {
      const { createWecomChannel } = await import('./wecom/index.ts')
      return createWecomChannel({
        botId: secret(config, 'wecomBotId'),
        secret: secret(config, 'wecomBotSecret'),
        wsUrl: config.wecomWsUrl,
        ...deps,
      })
    },
  },
  {
    name: 'wecom-app',
    label: 'WeCom (app callback)',
    configKeys: [
      'wecomCorpId',
      'wecomCorpSecret',
      'wecomAgentId',
      'wecomCallbackToken',
      'wecomEncodingAesKey',
      'wecomApiBase',
    ],
    secretKeys: ['wecomCorpSecret', 'wecomCallbackToken', 'wecomEncodingAesKey'],
    requiredKeys: ['wecomCorpId', 'wecomAgentId'],
    async create(config, deps) {
      const { createWecomAppChannel } = await import('./wecom-app/index.ts')
      return createWecomAppChannel({
        ...wecomApp(config),
        callbackToken: secret(config, 'wecomCallbackToken'),
        encodingAesKey: secret(config, 'wecomEncodingAesKey'),
        ...deps,
      })
    },
    async probe(config) {
      const { probeWecomApp } = await import('./wecom-app/probe.ts')
      return probeWecomApp(wecomApp(config))
    },
  },
]

/**
 * `off`: no credential set. `ready`: all set, the channel starts. `incomplete`: some set, the platform
 * stays off and `missing` names the variables to add (a half-configured platform is a mistake worth
 * reporting, not a silent no).
 */
export type PlatformState = { state: 'off' } | { state: 'ready' } | { state: 'incomplete'; missing: string[] }

/** Everything a platform needs set before it starts: its credentials and its required ids. */
export function neededKeys(row: PlatformRow): ConfigKey[] {
  return [...(row.requiredKeys ?? []), ...row.secretKeys]
}

export function platformState(row: PlatformRow, config: Config): PlatformState {
  const needed = neededKeys(row)
  const missing = needed.filter((k) => !isSet(config, k))
  if (missing.length === 0) return { state: 'ready' }
  if (missing.length === needed.length) return { state: 'off' }
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
