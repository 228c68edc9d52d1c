import type { Database } from 'bun:sqlite'

export interface CursorsRepo {
  /** The seq of the last message handed to the group's agent (0 = none yet). */
  get(groupFolder: string): number
  set(groupFolder: string, seq: number, now: number): void
  all(): Map<string, number>
  /**
   * Hands messages up to `toSeq` to a run: the cursor moves now, and `fromSeq` is remembered as the
   * roll-back point until `settle` (unless an earlier unanswered batch already set one).
   */
  begin(groupFolder: string, fromSeq: number, toSeq: number, now: number): void
  /** Output reached the user: forget the roll-back point. */
  settle(groupFolder: string, now: number): void
  /** Nothing reached the user: move the cursor back to the roll-back point (if any). */
  rollback(groupFolder: string, now: number): boolean
  /** Start-up: roll back every run a crash left unanswered; returns the folders. */
  recoverInflight(now: number): string[]
}

export function createCursorsRepo(db: Database): CursorsRepo {
  const getQ = db.query<{ message_seq: number }, [string]>(
    'SELECT message_seq FROM cursors WHERE group_folder = ?',
  )
  const setQ = db.query(
    `INSERT INTO cursors (group_folder, message_seq, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (group_folder) DO UPDATE SET message_seq = excluded.message_seq, updated_at = excluded.updated_at`,
  )
  return {
    get: (folder) => getQ.get(folder)?.message_seq ?? 0,
    set(folder, seq, now) {
      setQ.run(folder, seq, now)
    },
    begin(folder, fromSeq, toSeq, now) {
      db.run(
        `INSERT INTO cursors (group_folder, message_seq, updated_at, inflight_from) VALUES (?, ?, ?, ?)
         ON CONFLICT (group_folder) DO UPDATE SET message_seq = excluded.message_seq,
           updated_at = excluded.updated_at, inflight_from = coalesce(cursors.inflight_from, excluded.inflight_from)`,
        [folder, toSeq, now, fromSeq],
      )
    },
    settle(folder, now) {
      db.run(
        'UPDATE cursors SET inflight_from = NULL, updated_at = ? WHERE group_folder = ? AND inflight_from IS NOT NULL',
        [now, folder],
      )
    },
    rollback: (folder, now) =>
      db.run(
        `UPDATE cursors SET message_seq = inflight_from, inflight_from = NULL, updated_at = ?
         WHERE group_folder = ? AND inflight_from IS NOT NULL`,
        [now, folder],
      ).changes > 0,
    recoverInflight(now) {
      const folders = db
        .query<{ group_folder: string }, []>(
          'SELECT group_folder FROM cursors WHERE inflight_from IS NOT NULL',
        )
        .all()
        .map((r) => r.group_folder)
      db.run(
        `UPDATE cursors SET message_seq = inflight_from, inflight_from = NULL, updated_at = ?
         WHERE inflight_from IS NOT NULL`,
        [now],
      )
      return folders
    },
    all: () =>
      new Map(
        db
          .query<{ group_folder: string; message_seq: number }, []>(
            'SELECT group_folder, message_seq FROM cursors',
          )
          .all()
          .map((r) => [r.group_folder, r.message_seq]),
      ),
  }
}
