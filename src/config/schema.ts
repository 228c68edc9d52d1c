import * as v from 'valibot'

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
const NETWORKS = ['bridge', 'none', 'host'] as const
const PROVIDERS = ['claude', 'mock'] as const

/** Values from env and .env are strings; TOML may give numbers or booleans. Both are accepted. */
function int(min: number, max: number) {
  return v.pipe(
    v.union([v.number(), v.string()], 'expected a whole number'),
    v.transform((x) => (typeof x === 'string' && x.trim() !== '' ? Number(x) : x)),
    v.number('expected a whole number'),
    v.integer('expected a whole number'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  )
}

/** A non-negative amount (USD or tokens); TOML gives numbers, env strings. */
function amount(integer: boolean) {
  return v.optional(
    v.pipe(
      v.union([v.number(), v.string()], 'expected a number'),
      v.transform((x) => (typeof x === 'string' && x.trim() !== '' ? Number(x) : x)),
      v.number('expected a number'),
      v.check((n) => Number.isFinite(n) && n >= 0, 'must be a number of at least 0'),
      v.check((n) => !integer || Number.isInteger(n), 'expected a whole number'),
    ),
  )
}

function bool() {
  return v.pipe(
    v.union([v.boolean(), v.string()]),
    v.transform((x) => (typeof x === 'boolean' ? x : x.trim().toLowerCase())),
    v.union(
      [v.boolean(), v.picklist(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])],
      'expected true/false (also 1/0, yes/no, on/off)',
    ),
    v.transform((x) => x === true || x === 'true' || x === '1' || x === 'yes' || x === 'on'),
  )
}

const text = () => v.pipe(v.string('expected text'), v.trim(), v.minLength(1, 'must not be empty'))
const optionalText = () => v.optional(text())
const url = () =>
  v.optional(v.pipe(v.string(), v.trim(), v.url('expected a URL such as http://127.0.0.1:8080')))

/** Docker's memory syntax: a number with an optional b/k/m/g suffix. */
const memory = () => v.pipe(text(), v.regex(/^\d+(\.\d+)?[bkmg]?$/i, 'expected a size such as 512m or 2g'))
const cpus = () => v.pipe(text(), v.regex(/^\d+(\.\d+)?$/, 'expected a number of CPUs such as 1 or 1.5'))

function timeZone() {
  return v.pipe(
    text(),
    v.check((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz })
        return true
      } catch {
        return false
      }
    }, 'expected an IANA time zone such as Europe/Berlin or UTC'),
  )
}

/** Every setting ngb has. One schema; `sources.ts` says where each key may come from. */
/** The admin password's one rule, for NGB_ADMIN_PASSWORD, `ngb init` and the setup form alike. */
export const MIN_PASSWORD_LENGTH = 8

export const ConfigSchema = v.object({
  dataDir: text(),
  logLevel: v.picklist(LOG_LEVELS, 'expected one of debug, info, warn, error'),
  logMaxBytes: int(1024, 1024 ** 3),
  logMaxFiles: int(1, 100),
  webHost: text(),
  webPort: int(0, 65535),
  webAllowedHosts: optionalText(),
  adminPassword: v.optional(
    v.pipe(text(), v.minLength(MIN_PASSWORD_LENGTH, `expected at least ${MIN_PASSWORD_LENGTH} characters`)),
  ),
  assistantName: v.pipe(text(), v.regex(/^[\p{L}\p{N}_-]{1,32}$/u, 'expected 1-32 letters, digits, _ or -')),
  timezone: timeZone(),
  maxConcurrent: int(1, 100),
  retryBaseMs: int(0, 3_600_000),
  maxRetries: int(0, 20),
  idleTimeoutMs: int(1000, 86_400_000),
  hardTimeoutMs: v.optional(int(1000, 86_400_000)),
  maxOutputBytes: int(1024, 1024 ** 3),
  containerCli: text(),
  containerImage: text(),
  containerNetwork: v.picklist(NETWORKS, 'expected one of bridge, none, host'),
  containerMemory: memory(),
  containerCpus: cpus(),
  containerPidsLimit: int(16, 1_000_000),
  agentMessagesPerMinute: int(1, 100_000),
  agentMaxTasks: int(1, 100_000),
  agentIpcMaxBytes: int(1024, 1024 ** 3),
  agentProvider: v.picklist(PROVIDERS, 'expected claude or mock'),
  anthropicApiKey: optionalText(),
  claudeOauthToken: optionalText(),
  anthropicBaseUrl: url(),
  anthropicModel: optionalText(),
  attachmentMaxBytes: int(1024, 2 * 1024 ** 3),
  attachmentQuotaBytes: int(1024, 1024 ** 4),
  transcriptionUrl: url(),
  transcriptionApiKey: optionalText(),
  transcriptionModel: optionalText(),
  telegramBotToken: optionalText(),
  telegramApiRoot: url(),
  telegramWebhookUrl: url(),
  telegramWebhookPort: v.optional(int(1, 65535)),
  discordBotToken: optionalText(),
  discordApiBase: url(),
  discordGatewayUrl: url(),
  slackBotToken: optionalText(),
  slackAppToken: optionalText(),
  slackApiUrl: url(),
  whatsappAccessToken: optionalText(),
  whatsappPhoneNumberId: optionalText(),
  whatsappVerifyToken: optionalText(),
  whatsappAppSecret: optionalText(),
  whatsappApiBase: url(),
  feishuAppId: optionalText(),
  feishuAppSecret: optionalText(),
  feishuDomain: url(),
  feishuEventMode: v.optional(v.picklist(['ws', 'webhook'], 'expected ws or webhook')),
  feishuEncryptKey: optionalText(),
  feishuVerificationToken: optionalText(),
  dingtalkClientId: optionalText(),
  dingtalkClientSecret: optionalText(),
  dingtalkApiBase: url(),
  qqAppId: optionalText(),
  qqAppSecret: optionalText(),
  qqApiBase: url(),
  qqTokenUrl: url(),
  wecomBotId: optionalText(),
  wecomBotSecret: optionalText(),
  wecomWsUrl: url(),
  wecomCorpId: optionalText(),
  wecomCorpSecret: optionalText(),
  wecomAgentId: optionalText(),
  wecomCallbackToken: optionalText(),
  wecomEncodingAesKey: optionalText(),
  wecomApiBase: url(),
  budgetDailyUsd: amount(false),
  budgetMonthlyUsd: amount(false),
  budgetDailyTokens: amount(true),
  budgetMonthlyTokens: amount(true),
  budgetPolicy: v.picklist(['hold', 'drop'], 'expected hold or drop'),
  debug: bool(),
})

export type Config = v.InferOutput<typeof ConfigSchema>
export type ConfigKey = keyof Config
