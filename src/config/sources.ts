import type { ConfigKey } from './schema.ts'

export interface SettingSource {
  /** Environment variable (also the key in `<data dir>/.env`). */
  env: string
  /** Dotted path in ngb.toml. */
  toml: string
  secret?: boolean
  description: string
}

/** Where each setting comes from. The README's configuration table is generated from this list. */
export const SETTINGS: Record<ConfigKey, SettingSource> = {
  dataDir: {
    env: 'NGB_DATA_DIR',
    toml: 'data_dir',
    description: 'Where the database, groups, IPC and logs live',
  },
  logLevel: {
    env: 'NGB_LOG_LEVEL',
    toml: 'log.level',
    description: 'Console log level: debug, info, warn, error',
  },
  logMaxBytes: {
    env: 'NGB_LOG_MAX_BYTES',
    toml: 'log.max_bytes',
    description: 'Rotate ngb.log at this size',
  },
  logMaxFiles: { env: 'NGB_LOG_MAX_FILES', toml: 'log.max_files', description: 'Rotated log files kept' },
  webHost: { env: 'NGB_WEB_HOST', toml: 'web.host', description: 'Dashboard/API bind address' },
  webPort: { env: 'NGB_WEB_PORT', toml: 'web.port', description: 'Dashboard/API port (0 = any free port)' },
  webAllowedHosts: {
    env: 'NGB_WEB_ALLOWED_HOSTS',
    toml: 'web.allowed_hosts',
    description: 'Extra host names the dashboard answers to, comma-separated (besides localhost)',
  },
  adminPassword: {
    env: 'NGB_ADMIN_PASSWORD',
    toml: 'web.admin_password',
    secret: true,
    description: 'Dashboard admin password (else set on first visit)',
  },
  assistantName: {
    env: 'NGB_ASSISTANT_NAME',
    toml: 'assistant_name',
    description: 'Name the agent answers to (@name)',
  },
  timezone: { env: 'NGB_TZ', toml: 'timezone', description: 'Time zone for cron tasks' },
  maxConcurrent: {
    env: 'NGB_MAX_CONCURRENT',
    toml: 'queue.max_concurrent',
    description: 'Agent containers running at once',
  },
  retryBaseMs: {
    env: 'NGB_RETRY_BASE_MS',
    toml: 'queue.retry_base_ms',
    description: 'First retry delay (doubles)',
  },
  maxRetries: {
    env: 'NGB_MAX_RETRIES',
    toml: 'queue.max_retries',
    description: 'Retries before telling the user',
  },
  idleTimeoutMs: {
    env: 'NGB_IDLE_TIMEOUT_MS',
    toml: 'container.idle_timeout_ms',
    description: 'Close an idle agent after this long without output',
  },
  hardTimeoutMs: {
    env: 'NGB_HARD_TIMEOUT_MS',
    toml: 'container.hard_timeout_ms',
    description: 'Stop a silent container after this long (default idle + 60 s)',
  },
  maxOutputBytes: {
    env: 'NGB_MAX_OUTPUT_BYTES',
    toml: 'container.max_output_bytes',
    description: 'Cap on one run’s stdout',
  },
  containerCli: {
    env: 'NGB_CONTAINER_CLI',
    toml: 'container.cli',
    description: 'Container CLI (docker, podman)',
  },
  containerImage: { env: 'NGB_CONTAINER_IMAGE', toml: 'container.image', description: 'Agent image' },
  containerNetwork: {
    env: 'NGB_CONTAINER_NETWORK',
    toml: 'container.network',
    description: 'Default network: bridge, none, host',
  },
  containerMemory: {
    env: 'NGB_CONTAINER_MEMORY',
    toml: 'container.memory',
    description: 'Memory limit per agent',
  },
  containerCpus: { env: 'NGB_CONTAINER_CPUS', toml: 'container.cpus', description: 'CPU limit per agent' },
  agentMessagesPerMinute: {
    env: 'NGB_AGENT_MESSAGES_PER_MINUTE',
    toml: 'limits.agent_messages_per_minute',
    description: 'Messages one group’s agent may send per minute (send_message); more are refused',
  },
  agentMaxTasks: {
    env: 'NGB_AGENT_MAX_TASKS',
    toml: 'limits.agent_max_tasks',
    description: 'Scheduled tasks (active or paused) one group’s agent may have; more are refused',
  },
  agentIpcMaxBytes: {
    env: 'NGB_AGENT_IPC_MAX_BYTES',
    toml: 'limits.agent_ipc_max_bytes',
    description: 'Total size of one group’s pending IPC files; files beyond it are refused',
  },
  containerPidsLimit: {
    env: 'NGB_CONTAINER_PIDS_LIMIT',
    toml: 'container.pids_limit',
    description: 'Process limit per agent',
  },
  agentProvider: {
    env: 'NGB_AGENT_PROVIDER',
    toml: 'agent.provider',
    description: 'claude (real agent) or mock (offline demo)',
  },
  anthropicApiKey: {
    env: 'ANTHROPIC_API_KEY',
    toml: 'agent.anthropic_api_key',
    secret: true,
    description: 'Claude API key',
  },
  claudeOauthToken: {
    env: 'CLAUDE_CODE_OAUTH_TOKEN',
    toml: 'agent.claude_oauth_token',
    secret: true,
    description: 'Claude subscription token (instead of an API key)',
  },
  anthropicBaseUrl: {
    env: 'ANTHROPIC_BASE_URL',
    toml: 'agent.base_url',
    description: 'Messages API base URL',
  },
  anthropicModel: { env: 'ANTHROPIC_MODEL', toml: 'agent.model', description: 'Model override' },
  attachmentMaxBytes: {
    env: 'NGB_ATTACHMENT_MAX_BYTES',
    toml: 'attachments.max_bytes',
    description: 'Largest file a user may send to the agent (default 20 MB); larger ones are refused',
  },
  attachmentQuotaBytes: {
    env: 'NGB_ATTACHMENT_QUOTA_BYTES',
    toml: 'attachments.quota_bytes',
    description: "Disk one group's inbox/ of received files may use (default 1 GB)",
  },
  transcriptionUrl: {
    env: 'NGB_TRANSCRIPTION_URL',
    toml: 'attachments.transcription_url',
    description: 'OpenAI-compatible API base for voice transcription (…/v1); off when unset',
  },
  transcriptionApiKey: {
    env: 'NGB_TRANSCRIPTION_API_KEY',
    toml: 'attachments.transcription_api_key',
    secret: true,
    description: 'API key for the transcription endpoint',
  },
  transcriptionModel: {
    env: 'NGB_TRANSCRIPTION_MODEL',
    toml: 'attachments.transcription_model',
    description: 'Transcription model name (default whisper-1)',
  },
  telegramBotToken: {
    env: 'TELEGRAM_BOT_TOKEN',
    toml: 'telegram.bot_token',
    secret: true,
    description: 'Telegram bot token',
  },
  telegramApiRoot: {
    env: 'TELEGRAM_API_ROOT',
    toml: 'telegram.api_root',
    description: 'Telegram Bot API root',
  },
  telegramWebhookUrl: {
    env: 'TELEGRAM_WEBHOOK_URL',
    toml: 'telegram.webhook_url',
    description: 'Public HTTPS URL Telegram posts updates to (webhook mode; unset = long polling)',
  },
  telegramWebhookPort: {
    env: 'TELEGRAM_WEBHOOK_PORT',
    toml: 'telegram.webhook_port',
    description: 'Local port (on 127.0.0.1, behind your TLS proxy) that receives the webhook (default 8443)',
  },
  discordBotToken: {
    env: 'DISCORD_BOT_TOKEN',
    toml: 'discord.bot_token',
    secret: true,
    description: 'Discord bot token',
  },
  discordApiBase: { env: 'DISCORD_API_BASE', toml: 'discord.api_base', description: 'Discord REST base URL' },
  discordGatewayUrl: {
    env: 'DISCORD_GATEWAY_URL',
    toml: 'discord.gateway_url',
    description: 'Discord gateway URL',
  },
  slackBotToken: {
    env: 'SLACK_BOT_TOKEN',
    toml: 'slack.bot_token',
    secret: true,
    description: 'Slack bot token',
  },
  slackAppToken: {
    env: 'SLACK_APP_TOKEN',
    toml: 'slack.app_token',
    secret: true,
    description: 'Slack app-level token (Socket Mode)',
  },
  slackApiUrl: { env: 'SLACK_API_URL', toml: 'slack.api_url', description: 'Slack Web API base URL' },
  whatsappAccessToken: {
    env: 'WHATSAPP_ACCESS_TOKEN',
    toml: 'whatsapp.access_token',
    secret: true,
    description: 'WhatsApp Cloud API token',
  },
  whatsappPhoneNumberId: {
    env: 'WHATSAPP_PHONE_NUMBER_ID',
    toml: 'whatsapp.phone_number_id',
    description: 'WhatsApp phone number id',
  },
  whatsappVerifyToken: {
    env: 'WHATSAPP_VERIFY_TOKEN',
    toml: 'whatsapp.verify_token',
    secret: true,
    description: 'WhatsApp webhook verify token',
  },
  whatsappAppSecret: {
    env: 'WHATSAPP_APP_SECRET',
    toml: 'whatsapp.app_secret',
    secret: true,
    description: 'WhatsApp app secret (signatures)',
  },
  whatsappApiBase: { env: 'WHATSAPP_API_BASE', toml: 'whatsapp.api_base', description: 'Graph API base URL' },
  feishuAppId: { env: 'FEISHU_APP_ID', toml: 'feishu.app_id', description: 'Feishu/Lark app id' },
  feishuAppSecret: {
    env: 'FEISHU_APP_SECRET',
    toml: 'feishu.app_secret',
    secret: true,
    description: 'Feishu/Lark app secret',
  },
  feishuDomain: { env: 'FEISHU_DOMAIN', toml: 'feishu.domain', description: 'Feishu/Lark API domain' },
  feishuEventMode: {
    env: 'FEISHU_EVENT_MODE',
    toml: 'feishu.event_mode',
    description: 'How Feishu events arrive: ws (long connection, default) or webhook (/hooks/feishu)',
  },
  feishuEncryptKey: {
    env: 'FEISHU_ENCRYPT_KEY',
    toml: 'feishu.encrypt_key',
    secret: true,
    description: 'Feishu event Encrypt Key (webhook mode)',
  },
  feishuVerificationToken: {
    env: 'FEISHU_VERIFICATION_TOKEN',
    toml: 'feishu.verification_token',
    secret: true,
    description: 'Feishu event Verification Token (webhook mode)',
  },
  dingtalkClientId: {
    env: 'DINGTALK_CLIENT_ID',
    toml: 'dingtalk.client_id',
    description: 'DingTalk client id',
  },
  dingtalkClientSecret: {
    env: 'DINGTALK_CLIENT_SECRET',
    toml: 'dingtalk.client_secret',
    secret: true,
    description: 'DingTalk client secret',
  },
  dingtalkApiBase: {
    env: 'DINGTALK_API_BASE',
    toml: 'dingtalk.api_base',
    description: 'DingTalk API base URL',
  },
  qqAppId: { env: 'QQ_APP_ID', toml: 'qq.app_id', description: 'QQ bot app id' },
  qqAppSecret: {
    env: 'QQ_APP_SECRET',
    toml: 'qq.app_secret',
    secret: true,
    description: 'QQ bot app secret',
  },
  qqApiBase: { env: 'QQ_API_BASE', toml: 'qq.api_base', description: 'QQ bot API base URL' },
  qqTokenUrl: {
    env: 'QQ_TOKEN_URL',
    toml: 'qq.token_url',
    description: 'QQ bot access-token endpoint (default https://bots.qq.com/app/getAppAccessToken)',
  },
  wecomBotId: { env: 'WECOM_BOT_ID', toml: 'wecom.bot_id', description: 'WeCom AI bot id' },
  wecomBotSecret: {
    env: 'WECOM_BOT_SECRET',
    toml: 'wecom.bot_secret',
    secret: true,
    description: 'WeCom AI bot secret',
  },
  wecomWsUrl: { env: 'WECOM_WS_URL', toml: 'wecom.ws_url', description: 'WeCom AI bot WebSocket URL' },
  wecomCorpId: {
    env: 'WECOM_CORP_ID',
    toml: 'wecom.corp_id',
    description: 'WeCom corp id (app callback mode)',
  },
  wecomCorpSecret: {
    env: 'WECOM_CORP_SECRET',
    toml: 'wecom.corp_secret',
    secret: true,
    description: 'WeCom self-built app secret (app callback mode)',
  },
  wecomAgentId: {
    env: 'WECOM_AGENT_ID',
    toml: 'wecom.agent_id',
    description: 'WeCom app agent id (app callback mode)',
  },
  wecomCallbackToken: {
    env: 'WECOM_CALLBACK_TOKEN',
    toml: 'wecom.callback_token',
    secret: true,
    description: 'WeCom callback Token (msg_signature key)',
  },
  wecomEncodingAesKey: {
    env: 'WECOM_ENCODING_AES_KEY',
    toml: 'wecom.encoding_aes_key',
    secret: true,
    description: 'WeCom callback EncodingAESKey (43 characters)',
  },
  wecomApiBase: {
    env: 'WECOM_API_BASE',
    toml: 'wecom.api_base',
    description: 'WeCom API base URL (app mode)',
  },
  budgetDailyUsd: {
    env: 'NGB_BUDGET_DAILY_USD',
    toml: 'budget.daily_usd',
    description: 'Global daily budget in USD, all groups together (groups have their own too)',
  },
  budgetMonthlyUsd: {
    env: 'NGB_BUDGET_MONTHLY_USD',
    toml: 'budget.monthly_usd',
    description: 'Global monthly budget in USD, all groups together',
  },
  budgetDailyTokens: {
    env: 'NGB_BUDGET_DAILY_TOKENS',
    toml: 'budget.daily_tokens',
    description: 'Global daily budget in tokens (input, output and cache), all groups together',
  },
  budgetMonthlyTokens: {
    env: 'NGB_BUDGET_MONTHLY_TOKENS',
    toml: 'budget.monthly_tokens',
    description: 'Global monthly budget in tokens, all groups together',
  },
  budgetPolicy: {
    env: 'NGB_BUDGET_POLICY',
    toml: 'budget.policy',
    description: 'Over budget: hold (keep messages, answer later) or drop (do not answer them)',
  },
  debug: { env: 'NGB_DEBUG', toml: 'debug', description: 'Verbose logs and stack traces' },
}

export const SECRET_KEYS = (Object.keys(SETTINGS) as ConfigKey[]).filter((k) => SETTINGS[k].secret)
