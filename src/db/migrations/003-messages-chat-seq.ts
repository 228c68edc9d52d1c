import type { Migration } from '../migrate.ts'

/**
 * "Messages of these chats after the cursor" runs on every turn and follow-up. By (chat_jid, ts) it
 * scanned a chat's whole history; by (chat_jid, seq) it reads only the new rows.
 */
export const messagesChatSeq: Migration = {
  version: 3,
  name: 'messages-chat-seq',
  sql: 'CREATE INDEX messages_chat_seq ON messages (chat_jid, seq);',
}
