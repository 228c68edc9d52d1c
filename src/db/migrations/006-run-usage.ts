import type { Migration } from '../migrate.ts'

/**
 * What each run cost: tokens by kind, cost in USD, model, API calls and time, as the provider
 * reported them (summed over the run's turns), plus the chat, task and agent session the run served
 * so usage can be summed per chat and per task, and a resumed session's running totals continued.
 * `budget_notices` remembers which budget warnings a chat was sent, so each goes out once a period.
 */
export const runUsage: Migration = {
  version: 6,
  name: 'run-usage',
  sql: `ALTER TABLE runs ADD COLUMN chat_jid TEXT;
ALTER TABLE runs ADD COLUMN task_id TEXT;
ALTER TABLE runs ADD COLUMN session_id TEXT;
ALTER TABLE runs ADD COLUMN input_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN output_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN cache_read_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN model TEXT;
ALTER TABLE runs ADD COLUMN api_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN api_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX runs_started ON runs (started_at);
CREATE INDEX runs_session ON runs (session_id);
CREATE TABLE budget_notices (
  scope TEXT NOT NULL,
  period TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('warning', 'reached')),
  sent_at INTEGER NOT NULL,
  PRIMARY KEY (scope, period, kind)
) STRICT;`,
}
