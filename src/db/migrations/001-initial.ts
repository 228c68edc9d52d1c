import type { Migration } from '../migrate.ts'

export const initial: Migration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

CREATE TABLE groups (
  folder TEXT PRIMARY KEY CHECK (folder GLOB '[a-z0-9]*' AND length(folder) <= 64),
  name TEXT NOT NULL,
  is_main INTEGER NOT NULL DEFAULT 0 CHECK (is_main IN (0, 1)),
  trigger_mode TEXT NOT NULL CHECK (trigger_mode IN ('always', 'mention', 'pattern')),
  trigger_pattern TEXT,
  settings TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
  created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX groups_one_main ON groups (is_main) WHERE is_main = 1;

CREATE TABLE chats (
  jid TEXT PRIMARY KEY,
  platform TEXT NOT NULL,
  name TEXT,
  is_group INTEGER NOT NULL DEFAULT 0,
  last_message_at INTEGER,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE bindings (
  chat_jid TEXT PRIMARY KEY REFERENCES chats (jid) ON DELETE CASCADE,
  group_folder TEXT NOT NULL REFERENCES groups (folder) ON DELETE CASCADE,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX bindings_group ON bindings (group_folder);

CREATE TABLE bind_tokens (
  token TEXT PRIMARY KEY,
  group_folder TEXT NOT NULL REFERENCES groups (folder) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  used_by_jid TEXT
) STRICT;

CREATE TABLE messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  chat_jid TEXT NOT NULL,
  id TEXT NOT NULL,
  sender_jid TEXT NOT NULL,
  sender_name TEXT NOT NULL,
  text TEXT NOT NULL,
  ts INTEGER NOT NULL,
  from_bot INTEGER NOT NULL DEFAULT 0,
  is_group INTEGER NOT NULL DEFAULT 0,
  mentions_bot INTEGER NOT NULL DEFAULT 0,
  reply_to TEXT,
  thread_id TEXT
) STRICT;
CREATE UNIQUE INDEX messages_key ON messages (chat_jid, id);
CREATE INDEX messages_chat_ts ON messages (chat_jid, ts);

CREATE TABLE sessions (
  group_folder TEXT NOT NULL REFERENCES groups (folder) ON DELETE CASCADE,
  scope TEXT NOT NULL DEFAULT 'group',
  session_id TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (group_folder, scope)
) STRICT;

CREATE TABLE cursors (
  group_folder TEXT PRIMARY KEY REFERENCES groups (folder) ON DELETE CASCADE,
  message_seq INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  group_folder TEXT NOT NULL REFERENCES groups (folder) ON DELETE CASCADE,
  chat_jid TEXT NOT NULL,
  prompt TEXT NOT NULL,
  schedule_type TEXT NOT NULL CHECK (schedule_type IN ('cron', 'interval', 'once')),
  schedule_value TEXT NOT NULL,
  context_mode TEXT NOT NULL DEFAULT 'isolated' CHECK (context_mode IN ('group', 'isolated')),
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'completed')),
  next_run_at INTEGER,
  last_run_at INTEGER,
  last_result TEXT,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX tasks_due ON tasks (status, next_run_at);

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  group_folder TEXT NOT NULL,
  trigger TEXT NOT NULL CHECK (trigger IN ('message', 'task', 'cli', 'web')),
  container_name TEXT,
  started_at INTEGER NOT NULL,
  first_output_at INTEGER,
  finished_at INTEGER,
  exit_code INTEGER,
  status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'error', 'timeout')),
  error TEXT,
  bytes_out INTEGER NOT NULL DEFAULT 0,
  log_path TEXT
) STRICT;
CREATE INDEX runs_group_started ON runs (group_folder, started_at);

CREATE TABLE task_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  run_id TEXT,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'error', 'timeout')),
  result TEXT,
  error TEXT
) STRICT;
CREATE INDEX task_runs_task ON task_runs (task_id, started_at);

CREATE TABLE plugin_state (
  plugin TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (plugin, key)
) STRICT;

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE web_sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
) STRICT;
`,
}
