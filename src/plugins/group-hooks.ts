import type { EventBus } from '../core/events.ts'
import type { Group } from '../core/types.ts'
import type { PluginHost } from './host.ts'

/**
 * Calls onGroupRegistered / onGroupRemoved from the groups' own events, so every way a group comes
 * or goes (dashboard, API, CLI through the server, an agent's IPC) reaches the plugins.
 */
export function notifyGroupHooks(
  bus: EventBus,
  host: Pick<PluginHost, 'notify' | 'has'>,
  groups: { get(folder: string): Group | undefined },
): () => void {
  return bus.on('group.changed', (e) => {
    if (e.action === 'created' && host.has('onGroupRegistered')) {
      const group = groups.get(e.group)
      if (group) void host.notify('onGroupRegistered', group)
    } else if (e.action === 'removed' && host.has('onGroupRemoved')) {
      void host.notify('onGroupRemoved', e.group)
    }
  })
}
