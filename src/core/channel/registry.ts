import type { Logger } from '../../util/log.ts'
import { ConflictError, errorMessage } from '../errors.ts'
import type { EventBus } from '../events.ts'
import { parseJid } from '../jid.ts'
import type { Channel, ChannelHealth, InboundMessage } from './channel.ts'

export interface ChannelRegistryDeps {
  bus: EventBus
  log: Logger
}

/** Where every channel's inbound messages go: the pipeline's inbound step. */
export type InboundHandler = (message: InboundMessage) => void | Promise<void>

export interface ChannelStatus {
  name: string
  health: ChannelHealth
}

export interface ChannelRegistry {
  /** Adds a channel; `connectAll` connects it (or `connect(name)` once the pipeline has started). */
  add(channel: Channel): void
  get(name: string): Channel | undefined
  list(): ChannelStatus[]
  /** The channel whose platform is the JID's prefix. */
  channelFor(jid: string): Channel | undefined
  /** Reconnects one channel to the pipeline given to `connectAll` (the dashboard's enable switch). */
  connect(name: string): Promise<void>
  disconnect(name: string): Promise<void>
  /**
   * Connects every channel to the pipeline's inbound step; one failing channel does not stop the
   * others. The pipeline hands itself over here when it starts, so nothing binds it later.
   */
  connectAll(onInbound: InboundHandler): Promise<void>
  disconnectAll(): Promise<void>
  /** Disconnects and forgets a channel (disabled at run time). */
  remove(name: string): Promise<void>
}

export function createChannelRegistry(deps: ChannelRegistryDeps): ChannelRegistry {
  const channels = new Map<string, Channel>()
  const log = deps.log
  let onInbound: InboundHandler | undefined

  const publish = (name: string, health: ChannelHealth) =>
    deps.bus.publish({
      type: 'channel.status',
      channel: name,
      status: health.status,
      detail: 'detail' in health ? health.detail : undefined,
    })

  const registry: ChannelRegistry = {
    add(channel) {
      if (channels.has(channel.name)) throw new Error(`channel ${channel.name} is already registered`)
      channels.set(channel.name, channel)
    },
    get: (name) => channels.get(name),
    list: () => [...channels.values()].map((c) => ({ name: c.name, health: c.health() })),
    channelFor(jid) {
      try {
        return channels.get(parseJid(jid).platform)
      } catch {
        return undefined
      }
    },
    async connect(name) {
      const channel = channels.get(name)
      if (!channel) throw new Error(`no channel named ${name}`)
      const handler = onInbound
      if (!handler)
        throw new ConflictError(
          `channel ${name} cannot connect yet: ngb is still starting; try again in a moment`,
        )
      publish(name, { status: 'connecting' })
      try {
        await channel.connect({
          onInbound: handler,
          onStatus: (health) => publish(name, health),
        })
        publish(name, channel.health())
      } catch (error) {
        log.error('channel failed to connect', { channel: name, error: errorMessage(error) })
        publish(name, { status: 'error', detail: errorMessage(error) })
        throw error
      }
    },
    async disconnect(name) {
      const channel = channels.get(name)
      if (!channel) return
      try {
        await channel.disconnect()
      } finally {
        publish(name, { status: 'disconnected' })
      }
    },
    async connectAll(handler) {
      onInbound = handler
      await Promise.all(
        [...channels.keys()].map((name) =>
          registry.connect(name).catch(() => {
            // Already logged and published; the other channels keep going.
          }),
        ),
      )
    },
    async disconnectAll() {
      await Promise.all(
        [...channels.keys()].map((name) =>
          registry.disconnect(name).catch((error: unknown) => {
            log.warn('channel failed to disconnect', { channel: name, error: errorMessage(error) })
          }),
        ),
      )
    },
    async remove(name) {
      await registry.disconnect(name)
      channels.delete(name)
    },
  }
  return registry
}
