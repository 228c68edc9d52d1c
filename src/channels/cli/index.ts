import { createLocalChannel, type LocalChannel } from '../shared/local.ts'

export type CliChannel = LocalChannel

/** `ngb run`/`ngb session` through the pipeline: `cli:<folder>` JIDs, bound to their group automatically. */
export function createCliChannel(user = 'cli'): CliChannel {
  return createLocalChannel('cli', user)
}
