import type { Migration } from '../migrate.ts'

/**
 * `inflight_from`: while a run has been handed messages but nothing has reached the user yet, the
 * cursor it would roll back to. Set means "not answered"; a crash leaves it set, and start-up rolls
 * the cursor back so those messages are answered exactly once.
 */
export const cursorInflight: Migration = {
  version: 2,
  name: 'cursor-inflight',
  sql: 'ALTER TABLE cursors ADD COLUMN inflight_from INTEGER;',
}
