import type { ChannelRegistry } from '../../channels/registry.ts'
import type { Config } from '../../config/schema.ts'
import { InvalidInputError, NotFoundError } from '../../core/errors.ts'
import type { EventBus } from '../../core/events.ts'
import type { MetaRepo } from '../../db/repos/meta.ts'
import type { ChannelStatus, ChannelsService } from '../services.ts'

/** Which credentials make a platform "configured". */
const PLATFORMS: Array<[string, Array<keyof Config>]> = [
  ['telegram', ['telegramBotToken']],
  ['discord', ['discordBotToken']],
  ['slack', ['slackBotToken', 'slackAppToken']],
  ['whatsapp', ['whatsappAccessToken', 'whatsappPhoneNumberId', 'whatsappAppSecret', 'whatsappVerifyToken']],
  ['feishu', ['feishuAppId', 'feishuAppSecret']],
  ['dingtalk', ['dingtalkClientId', 'dingtalkClientSecret']],
  ['qq', ['qqAppId', 'qqAppSecret']],
  ['wecom', ['wecomBotId', 'wecomBotSecret']],
]

export interface WebChannelsDeps {
  config: Config
  bus: EventBus
  meta: MetaRepo
  /** The live registry under `ngb serve`; without it status comes from channel.status events only. */
  registry?: ChannelRegistry
}

/**
 * Every platform ngb knows, with its live status. Disabling disconnects the channel now and is
 * remembered in meta (`channel.<name>.enabled`); enabling reconnects it.
 */
export function createWebChannels(deps: WebChannelsDeps): ChannelsService {
  const seen = new Map<string, { status: ChannelStatus['status']; detail?: string }>()
  deps.bus.on('channel.status', (e) => seen.set(e.channel, { status: e.status, detail: e.detail }))
  const names = () => {
    const all = ['web', 'cli', ...PLATFORMS.map(([n]) => n)]
    for (const c of deps.registry?.list() ?? []) if (!all.includes(c.name)) all.push(c.name)
    return all
  }
  const inRegistry = (name: string) => deps.registry?.get(name) !== undefined
  const configured = (name: string) =>
    inRegistry(name) ||
    name === 'web' ||
    name === 'cli' ||
    (PLATFORMS.find(([n]) => n === name)?.[1] ?? []).every((k) => !!deps.config[k])
  const enabled = (name: string) => deps.meta.get(`channel.${name}.enabled`) !== 'false'
  const statusOf = (name: string): ChannelStatus => {
    const on = enabled(name)
    const live = deps.registry?.list().find((c) => c.name === name)?.health
    const l = live
      ? { status: live.status, detail: 'detail' in live ? live.detail : undefined }
      : seen.get(name)
    return {
      name,
      enabled: on,
      configured: configured(name),
      status: !on ? 'disabled' : (l?.status ?? 'disconnected'),
      detail: on ? (l?.detail ?? (configured(name) ? undefined : 'no credentials configured')) : undefined,
    }
  }
  return {
    list: () => names().map(statusOf),
    async setEnabled(name, on) {
      if (!names().includes(name)) throw new NotFoundError(`channel "${name}" does not exist`)
      if (on && !configured(name))
        throw new InvalidInputError(
          `channel "${name}" has no credentials configured; see \`ngb config show\``,
        )
      deps.meta.set(`channel.${name}.enabled`, on ? 'true' : 'false')
      if (deps.registry && inRegistry(name)) {
        if (on) await deps.registry.connect(name)
        else await deps.registry.disconnect(name)
      }
      return statusOf(name)
    },
  }
}

/** At start-up: channels the admin disabled on the dashboard stay disconnected across restarts. */
export async function applyChannelFlags(registry: ChannelRegistry, meta: MetaRepo): Promise<string[]> {
  const off = registry
    .list()
    .map((c) => c.name)
    .filter((name) => meta.get(`channel.${name}.enabled`) === 'false')
  for (const name of off) await registry.disconnect(name)
  return off
}
