import type { Database } from 'bun:sqlite'

/** Delivery progress of replies that are not complete yet (see migration 005). */
export interface ReplyProgressRepo {
  /** Chunks already delivered of this reply, if a partial delivery newer than `since` is recorded. */
  sent(chatJid: string, textHash: string, since: number): number | undefined
  record(chatJid: string, textHash: string, chunksSent: number, chunksTotal: number, now: number): void
  clear(chatJid: string, textHash: string): void
}

export function createReplyProgressRepo(db: Database): ReplyProgressRepo {
  const sentQ = db.query<{ n: number }, [string, string, number]>(
    'SELECT chunks_sent AS n FROM reply_progress WHERE chat_jid = ? AND text_hash = ? AND updated_at >= ?',
  )
  return {
    sent: (chatJid, textHash, since) => sentQ.get(chatJid, textHash, since)?.n,
    record(chatJid, textHash, chunksSent, chunksTotal, now) {
      db.run(
        `INSERT INTO reply_progress (chat_jid, text_hash, chunks_sent, chunks_total, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (chat_jid, text_hash) DO UPDATE SET
           chunks_sent = excluded.chunks_sent, chunks_total = excluded.chunks_total, updated_at = excluded.updated_at`,
        [chatJid, textHash, chunksSent, chunksTotal, now],
      )
    },
    clear(chatJid, textHash) {
      db.run('DELETE FROM reply_progress WHERE chat_jid = ? AND text_hash = ?', [chatJid, textHash])
    },
  }
}
