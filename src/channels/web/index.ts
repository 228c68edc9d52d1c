import { createLocalChannel, type LocalChannel } from '../shared/local.ts'

export type WebChannel = LocalChannel

/** The dashboard/API chat: `web:<folder>` JIDs, bound to their group automatically. */
export function createWebChannel(): WebChannel {
  return createLocalChannel('web', 'admin')
}
