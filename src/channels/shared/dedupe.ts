import { createLruSet } from '../../util/lru.ts'

/**
 * Drops redelivered platform events (Slack retries, gateway resume replays, getUpdates offsets
 * not yet confirmed). Keyed by chat and platform message id; the pipeline dedupes again by
 * (jid, messageId) in the database, this just keeps a replay from reaching it at all.
 */
export interface Dedupe {
  /** True the first time a key is seen. */
  isNew(chat: string, messageId: string): boolean
}

export function createDedupe(capacity = 10_000): Dedupe {
  const seen = createLruSet(capacity)
  return { isNew: (chat, messageId) => seen.add(`${chat}\u0000${messageId}`) }
}
