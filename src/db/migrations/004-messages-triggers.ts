import type { Migration } from '../migrate.ts'

/**
 * `triggers`: the inbound pipeline decided, once, when the message arrived, that it should wake the
 * group's agent (trigger mode, mention, pattern). The turn reads the decision instead of checking
 * again. Rows from before this migration get the closest rule SQL can apply: a user message in a
 * direct chat or one that mentions the bot.
 */
export const messagesTriggers: Migration = {
  version: 4,
  name: 'messages-triggers',
  sql: `ALTER TABLE messages ADD COLUMN triggers INTEGER NOT NULL DEFAULT 0;
UPDATE messages SET triggers = 1 WHERE from_bot = 0 AND (is_group = 0 OR mentions_bot = 1);`,
}
