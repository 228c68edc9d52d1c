import { createPlatformChannels } from '../channels/platforms.ts'
import type { Channel } from '../core/channel/channel.ts'
import type { ChannelRegistry } from '../core/channel/registry.ts'
import type { WebhookRouter } from '../core/channel/webhooks.ts'
import { applyChannelFlags } from '../web/adapters/channels.ts'
import type { Runtime } from './runtime.ts'

/**
 * The channels of the platforms whose credentials are set, from the one platform table. Platforms
 * the platform calls over HTTP mount their routes into `hooks`, which the web server serves.
 */
export function createChannels(rt: Runtime, hooks: WebhookRouter): Promise<Channel[]> {
  return createPlatformChannels(rt.config, { assistantName: rt.config.assistantName, log: rt.log, hooks })
}

/** Channels switched off on the dashboard stay off across restarts (run after the channels connect). */
export async function applyDashboardChannelFlags(rt: Runtime, channels: ChannelRegistry): Promise<void> {
  const off = await applyChannelFlags(channels, rt.repos.meta)
  if (off.length > 0) rt.log.info('channels disabled on the dashboard stay off', { channels: off })
}
