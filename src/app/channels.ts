import type { Channel } from '../channels/channel.ts'
import type { ChannelRegistry } from '../channels/registry.ts'
import type { Config } from '../config/schema.ts'
import type { Logger } from '../util/log.ts'
import { applyChannelFlags } from '../web/adapters/channels.ts'
import type { Runtime } from './runtime.ts'

/**
 * The chat platforms whose credentials are configured. Each SDK is imported only when its
 * platform is in use, so `ngb` starts fast and a missing platform costs nothing.
 */
export async function createPlatformChannels(config: Config, log: Logger): Promise<Channel[]> {
  const channels: Channel[] = []
  const { assistantName } = config
  if (config.telegramBotToken) {
    const { createTelegramChannel } = await import('../channels/telegram/index.ts')
    channels.push(
      createTelegramChannel({
        token: config.telegramBotToken,
        apiRoot: config.telegramApiRoot,
        assistantName,
        log,
        webhook: config.telegramWebhookUrl
          ? { url: config.telegramWebhookUrl, port: config.telegramWebhookPort ?? 8443 }
          : undefined,
      }),
    )
  }
  if (config.discordBotToken) {
    const { createDiscordChannel } = await import('../channels/discord/index.ts')
    channels.push(
      createDiscordChannel({
        token: config.discordBotToken,
        apiBase: config.discordApiBase,
        assistantName,
        log,
      }),
    )
  }
  if (config.slackBotToken && config.slackAppToken) {
    const { createSlackChannel } = await import('../channels/slack/index.ts')
    channels.push(
      createSlackChannel({
        botToken: config.slackBotToken,
        appToken: config.slackAppToken,
        apiUrl: config.slackApiUrl,
        assistantName,
        log,
      }),
    )
  } else if (config.slackBotToken || config.slackAppToken) {
    log.warn('Slack needs both SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode); Slack stays off', {
      component: 'channels',
    })
  }
  return channels
}

/** Channels switched off on the dashboard stay off across restarts (run after the channels connect). */
export async function applyDashboardChannelFlags(rt: Runtime, channels: ChannelRegistry): Promise<void> {
  const off = await applyChannelFlags(channels, rt.repos.meta)
  if (off.length > 0) rt.log.info('channels disabled on the dashboard stay off', { channels: off })
}
