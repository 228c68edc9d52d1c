import type { Config } from '../../config/schema.ts'
import { NotFoundError } from '../../core/errors.ts'
import type { EventBus } from '../../core/events.ts'
import type { MetaRepo } from '../../db/repos/meta.ts'
import type { ChannelStatus, ChannelsService } from '../services.ts'

/** Which credentials make a platform "configured". */
const PLATFORMS: Array<[string, Array<keyof Config>]> = [
  ['telegram', ['telegramBotToken']],
  ['discord', ['discordBotToken']],
  ['slack', ['slackBotToken', 'slackAppToken']],
  ['whatsapp', ['whatsappAccessToken', 'whatsappPhoneNumberId']],
  ['feishu', ['feishuAppId', 'feishuAppSecret']],
  ['dingtalk', ['dingtalkClientId', 'dingtalkClientSecret']],
  ['qq', ['qqAppId', 'qqAppSecret']],
  ['wecom', ['wecomBotId', 'wecomBotSecret']],
]

export interface FallbackChannelsDeps {
  config: Config
  bus: EventBus
  meta: MetaRepo
}

/**
 * Channel status from channel.status events; enable/disable is persisted in meta and applied by
 * the channel registry when it is wired in (this fallback only records it).
 */
export function createFallbackChannels(deps: FallbackChannelsDeps): ChannelsService {
  const live = new Map<string, { status: ChannelStatus['status']; detail?: string }>([
    ['web', { status: 'connected' }],
    ['cli', { status: 'connected' }],
  ])
  deps.bus.on('channel.status', (e) => live.set(e.channel, { status: e.status, detail: e.detail }))
  const names = ['web', 'cli', ...PLATFORMS.map(([n]) => n)]
  const configured = (name: string) =>
    name === 'web' ||
    name === 'cli' ||
    (PLATFORMS.find(([n]) => n === name)?.[1] ?? []).every((k) => !!deps.config[k])
  const enabled = (name: string) => deps.meta.get(`channel.${name}.enabled`) !== 'false'
  const statusOf = (name: string): ChannelStatus => {
    const on = enabled(name)
    const l = live.get(name)
    return {
      name,
      enabled: on,
      configured: configured(name),
      status: !on ? 'disabled' : (l?.status ?? 'disconnected'),
      detail: on ? (l?.detail ?? (configured(name) ? undefined : 'no credentials configured')) : undefined,
    }
  }
  return {
    list: () => names.map(statusOf),
    async setEnabled(name, on) {
      if (!names.includes(name)) throw new NotFoundError(`channel "${name}" does not exist`)
      deps.meta.set(`channel.${name}.enabled`, on ? 'true' : 'false')
      return statusOf(name)
    },
  }
}
