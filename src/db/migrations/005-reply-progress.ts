import type { Migration } from '../migrate.ts'

/**
 * How many chunks of a reply reached the chat, while it is not complete. A reply whose send failed
 * part-way is retried with the turn; the retry resumes after the chunks the user already has, so
 * nothing is sent twice. Keyed by chat and a hash of the formatted text; the row goes when the reply
 * is complete.
 */
export const replyProgress: Migration = {
  version: 5,
  name: 'reply-progress',
  sql: `CREATE TABLE reply_progress (
    chat_jid TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    chunks_sent INTEGER NOT NULL,
    chunks_total INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (chat_jid, text_hash)
  ) STRICT;`,
}
