import { createLocalChannel, type LocalChannel } from '../shared/local.ts'

export type CliChannel = LocalChannel

/**
 * Where replies to `cli:<folder>` chats go. `ngb run` and `ngb session` start their turns with that
 * chat (they drive the runner directly, so nothing is posted in through here); a task or an agent
 * message addressed to it later is stored and published as `message.out`, like any reply.
 */
export function createCliChannel(): CliChannel {
  return createLocalChannel('cli')
}
