import { createPostingChannel, type PostingChannel } from '../shared/local.ts'

export type WebChannel = PostingChannel

/** The dashboard/API chat: `web:<folder>` JIDs, bound to their group automatically. */
export function createWebChannel(): WebChannel {
  return createPostingChannel('web', 'admin')
}
