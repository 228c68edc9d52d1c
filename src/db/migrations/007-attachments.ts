import type { Migration } from '../migrate.ts'

/**
 * Files received with a message (docs/attachments.md): a JSON array of {kind, name, mimeType, size,
 * path, transcript?}, path relative to the group workspace. NULL for a message without files.
 */
export const attachments: Migration = {
  version: 7,
  name: 'attachments',
  sql: 'ALTER TABLE messages ADD COLUMN attachments TEXT;',
}
