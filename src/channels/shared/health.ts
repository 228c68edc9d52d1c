import type { ChannelHealth } from '../../core/channel/channel.ts'
import { errorMessage } from '../../core/errors.ts'

/** A platform adapter's connection health, with the one rule for when a change is reported. */
export interface HealthState {
  get(): ChannelHealth
  /** Records the new health; reports it when the status or the detail changed (a repeat is quiet). */
  set(next: ChannelHealth): void
  /** Connecting while `start` runs; if it fails, error with its message (and the failure is rethrown). */
  startWith(start: () => Promise<unknown>): Promise<void>
}

const detailOf = (h: ChannelHealth) => ('detail' in h ? h.detail : undefined)

export function createHealthState(report: (health: ChannelHealth) => void): HealthState {
  let health: ChannelHealth = { status: 'disconnected' }
  function set(next: ChannelHealth) {
    const changed = next.status !== health.status || detailOf(next) !== detailOf(health)
    health = next
    if (changed) report(next)
  }
  return {
    get: () => health,
    set,
    async startWith(start) {
      set({ status: 'connecting' })
      try {
        await start()
      } catch (err) {
        set({ status: 'error', detail: errorMessage(err) })
        throw err
      }
    },
  }
}
