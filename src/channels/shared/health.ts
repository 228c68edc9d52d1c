import type { ChannelHealth } from '../../core/channel/channel.ts'

/** A platform adapter's connection health, with the one rule for when a change is reported. */
export interface HealthState {
  get(): ChannelHealth
  /** Records the new health; reports it when the status or the detail changed (a repeat is quiet). */
  set(next: ChannelHealth): void
}

const detailOf = (h: ChannelHealth) => ('detail' in h ? h.detail : undefined)

export function createHealthState(report: (health: ChannelHealth) => void): HealthState {
  let health: ChannelHealth = { status: 'disconnected' }
  return {
    get: () => health,
    set(next) {
      const changed = next.status !== health.status || detailOf(next) !== detailOf(health)
      health = next
      if (changed) report(next)
    },
  }
}
