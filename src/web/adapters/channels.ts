import { PLATFORMS, platformRow, platformState } from '../../channels/platforms.ts'
import type { Config } from '../../config/schema.ts'
import type { ChannelRegistry } from '../../core/channel/registry.ts'
import { InvalidInputError, NotFoundError } from '../../core/errors.ts'
import type { EventBus } from '../../core/events.ts'
import type { MetaRepo } from '../../db/repos/meta.ts'
import type { ChannelEntry, ChannelsService } from '../services.ts'

export interface WebChannelsDeps {
  config: Config
  bus: EventBus
  meta: MetaRepo
  /** The live registry under `ngb serve`; without it status comes from channel.status events only. */
  registry?: ChannelRegistry
}

/**
 * The built-in web and cli channels and every platform row (src/channels/platforms.ts), with their
 * live status; a platform without an adapter has no row, so it is not listed. Disabling disconnects the channel now and is
 * remembered in meta (`channel.<name>.enabled`); enabling reconnects it.
 */
export function createWebChannels(deps: WebChannelsDeps): ChannelsService {
  const seen = new Map<string, { status: ChannelEntry['status']; detail?: string }>()
  deps.bus.on('channel.status', (e) => seen.set(e.channel, { status: e.status, detail: e.detail }))
  const names = () => {
    const all = ['web', 'cli', ...PLATFORMS.map((p) => p.name)]
    for (const c of deps.registry?.list() ?? []) if (!all.includes(c.name)) all.push(c.name)
    return all
  }
  const inRegistry = (name: string) => deps.registry?.get(name) !== undefined
  /** Why a platform cannot start, or undefined when it can (or is built in / already live). */
  const missingCredentials = (name: string): string | undefined => {
    const row = platformRow(name)
    if (inRegistry(name) || !row) return undefined
    const s = platformState(row, deps.config)
    if (s.state === 'ready') return undefined
    return s.state === 'off'
      ? 'no credentials configured'
      : `credentials incomplete: set ${s.missing.join(', ')}`
  }
  const configured = (name: string) => missingCredentials(name) === undefined
  const enabled = (name: string) => deps.meta.get(`channel.${name}.enabled`) !== 'false'
  const statusOf = (name: string): ChannelEntry => {
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
      detail: on ? (l?.detail ?? missingCredentials(name)) : undefined,
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
