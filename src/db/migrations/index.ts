import type { Migration } from '../migrate.ts'
import { initial } from './001-initial.ts'
import { cursorInflight } from './002-cursor-inflight.ts'
import { messagesChatSeq } from './003-messages-chat-seq.ts'
import { messagesTriggers } from './004-messages-triggers.ts'
import { replyProgress } from './005-reply-progress.ts'
import { runUsage } from './006-run-usage.ts'
import { attachments } from './007-attachments.ts'

/** Append-only: a released migration is never edited, only followed by a new one. */
export const MIGRATIONS: readonly Migration[] = [
  initial,
  cursorInflight,
  messagesChatSeq,
  messagesTriggers,
  replyProgress,
  runUsage,
  attachments,
]
