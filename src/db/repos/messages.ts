import type { Database } from 'bun:sqlite'
import type { MessageAttachment, NewMessage, StoredMessage } from '../../core/types.ts'

interface Row {
  seq: number
  chat_jid: string
  id: string
  sender_jid: string
  sender_name: string
  text: string
  ts: number
  from_bot: number
  is_group: number
  mentions_bot: number
  reply_to: string | null
  thread_id: string | null
  triggers: number
  attachments: string | null
}

function parseAttachments(raw: string | null): MessageAttachment[] | undefined {
  if (!raw) return undefined
  try {
    const list = JSON.parse(raw) as MessageAttachment[]
    return Array.isArray(list) && list.length ? list : undefined
  } catch {
    return undefined
  }
}

const toMessage = (r: Row): StoredMessage => ({
  seq: r.seq,
  chatJid: r.chat_jid,
  id: r.id,
  senderJid: r.sender_jid,
  senderName: r.sender_name,
  text: r.text,
  ts: r.ts,
  fromBot: r.from_bot === 1,
  isGroup: r.is_group === 1,
  mentionsBot: r.mentions_bot === 1,
  replyTo: r.reply_to ?? undefined,
  threadId: r.thread_id ?? undefined,
  triggers: r.triggers === 1,
  attachments: parseAttachments(r.attachments),
})

export interface MessagesRepo {
  /** Stores the message unless (chatJid, id) exists; returns the stored row, or undefined for a duplicate. */
  insert(m: NewMessage): StoredMessage | undefined
  insertMany(ms: NewMessage[]): StoredMessage[]
  get(chatJid: string, id: string): StoredMessage | undefined
  /** Messages of the given chats after `afterSeq`, oldest first. */
  since(chatJids: string[], afterSeq: number, limit?: number): StoredMessage[]
  /** Newest messages of one chat, returned oldest first; `beforeSeq` pages backwards. */
  page(chatJid: string, opts?: { beforeSeq?: number; limit?: number }): StoredMessage[]
  search(text: string, opts?: { chatJid?: string; limit?: number }): StoredMessage[]
  /** A plugin rewrote the text (e.g. normalised mentions); the agent sees the rewritten version. */
  updateText(chatJid: string, id: string, text: string): void
  /** The trigger step decided this message wakes the agent (after plugins may have rewritten it). */
  markTriggering(chatJid: string, id: string): void
  /** Records the files saved for a message (after the download, which follows the insert). */
  setAttachments(chatJid: string, id: string, attachments: MessageAttachment[]): void
  /** A plugin dropped the message: it must not reach the agent as context either. */
  remove(chatJid: string, id: string): boolean
  latestSeq(): number
  count(): number
}

export function createMessagesRepo(db: Database): MessagesRepo {
  const insertQ = db.query<Row, Record<string, string | number | null>>(
    `INSERT INTO messages (chat_jid, id, sender_jid, sender_name, text, ts, from_bot, is_group, mentions_bot, reply_to, thread_id, triggers)
     VALUES ($chatJid, $id, $senderJid, $senderName, $text, $ts, $fromBot, $isGroup, $mentionsBot, $replyTo, $threadId, $triggers)
     ON CONFLICT (chat_jid, id) DO NOTHING
     RETURNING *`,
  )
  const insertOne = (m: NewMessage): StoredMessage | undefined => {
    const row = insertQ.get({
      chatJid: m.chatJid,
      id: m.id,
      senderJid: m.senderJid,
      senderName: m.senderName,
      text: m.text,
      ts: m.ts,
      fromBot: m.fromBot ? 1 : 0,
      isGroup: m.isGroup ? 1 : 0,
      mentionsBot: m.mentionsBot ? 1 : 0,
      replyTo: m.replyTo ?? null,
      threadId: m.threadId ?? null,
      triggers: m.triggers ? 1 : 0,
    })
    return row ? toMessage(row) : undefined
  }
  const insertBatch = db.transaction((ms: NewMessage[]) => ms.map(insertOne).filter((m) => m !== undefined))
  const markQ = db.query<never, [string, string]>(
    'UPDATE messages SET triggers = 1 WHERE chat_jid = ? AND id = ?',
  )
  const pageQ = db.query<Row, [string, number, number]>(
    'SELECT * FROM messages WHERE chat_jid = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
  )
  return {
    insert: insertOne,
    get(chatJid, id) {
      const row = db
        .query<Row, [string, string]>('SELECT * FROM messages WHERE chat_jid = ? AND id = ?')
        .get(chatJid, id)
      return row ? toMessage(row) : undefined
    },
    insertMany: (ms) => insertBatch.immediate(ms),
    since(chatJids, afterSeq, limit = 500) {
      if (chatJids.length === 0) return []
      const marks = chatJids.map(() => '?').join(',')
      return db
        .query<Row, Array<string | number>>(
          `SELECT * FROM messages WHERE chat_jid IN (${marks}) AND seq > ? ORDER BY seq LIMIT ?`,
        )
        .all(...chatJids, afterSeq, limit)
        .map(toMessage)
    },
    page(chatJid, opts = {}) {
      return pageQ
        .all(chatJid, opts.beforeSeq ?? Number.MAX_SAFE_INTEGER, opts.limit ?? 50)
        .reverse()
        .map(toMessage)
    },
    search(text, opts = {}) {
      const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
      const sql = opts.chatJid
        ? "SELECT * FROM messages WHERE chat_jid = ? AND text LIKE ? ESCAPE '\\' ORDER BY seq DESC LIMIT ?"
        : "SELECT * FROM messages WHERE text LIKE ? ESCAPE '\\' ORDER BY seq DESC LIMIT ?"
      const params: Array<string | number> = opts.chatJid
        ? [opts.chatJid, like, opts.limit ?? 50]
        : [like, opts.limit ?? 50]
      return db
        .query<Row, Array<string | number>>(sql)
        .all(...params)
        .map(toMessage)
    },
    markTriggering(chatJid, id) {
      markQ.run(chatJid, id)
    },
    updateText(chatJid, id, text) {
      db.run('UPDATE messages SET text = ? WHERE chat_jid = ? AND id = ?', [text, chatJid, id])
    },
    setAttachments(chatJid, id, attachments) {
      db.run('UPDATE messages SET attachments = ? WHERE chat_jid = ? AND id = ?', [
        attachments.length ? JSON.stringify(attachments) : null,
        chatJid,
        id,
      ])
    },
    remove: (chatJid, id) =>
      db.run('DELETE FROM messages WHERE chat_jid = ? AND id = ?', [chatJid, id]).changes > 0,
    latestSeq: () => db.query<{ s: number | null }, []>('SELECT max(seq) AS s FROM messages').get()?.s ?? 0,
    count: () => db.query<{ n: number }, []>('SELECT count(*) AS n FROM messages').get()?.n ?? 0,
  }
}
