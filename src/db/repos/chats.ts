import type { Database } from 'bun:sqlite'
import type { Binding, Chat } from '../../core/types.ts'

interface ChatRow {
  jid: string
  platform: string
  name: string | null
  is_group: number
  last_message_at: number | null
  created_at: number
  group_folder?: string | null
}

function toChat(r: ChatRow): Chat {
  return {
    jid: r.jid,
    platform: r.platform,
    name: r.name ?? undefined,
    isGroup: r.is_group === 1,
    lastMessageAt: r.last_message_at ?? undefined,
    createdAt: r.created_at,
  }
}

export interface ChatWithBinding extends Chat {
  groupFolder?: string
}

export interface UpsertChat {
  jid: string
  platform: string
  name?: string
  isGroup: boolean
  lastMessageAt?: number
}

export interface ChatsRepo {
  upsert(chat: UpsertChat, now: number): void
  get(jid: string): Chat | undefined
  list(opts?: { unboundOnly?: boolean }): ChatWithBinding[]
  bind(chatJid: string, groupFolder: string, now: number): void
  unbind(chatJid: string): boolean
  bindingOf(chatJid: string): Binding | undefined
  chatsOf(groupFolder: string): string[]
}

/** Chats and their bindings: a chat binds to at most one group, a group has many chats. */
export function createChatsRepo(db: Database): ChatsRepo {
  const upsertQ = db.query(
    `INSERT INTO chats (jid, platform, name, is_group, last_message_at, created_at)
     VALUES ($jid, $platform, $name, $isGroup, $lastMessageAt, $now)
     ON CONFLICT (jid) DO UPDATE SET
       name = coalesce(excluded.name, chats.name),
       is_group = excluded.is_group,
       last_message_at = max(coalesce(chats.last_message_at, 0), coalesce(excluded.last_message_at, 0))`,
  )
  const getQ = db.query<ChatRow, [string]>('SELECT * FROM chats WHERE jid = ?')
  const listQ = db.query<ChatRow, []>(
    `SELECT c.*, b.group_folder FROM chats c LEFT JOIN bindings b ON b.chat_jid = c.jid
     ORDER BY coalesce(c.last_message_at, c.created_at) DESC`,
  )
  const bindQ = db.query(
    `INSERT INTO bindings (chat_jid, group_folder, created_at) VALUES (?, ?, ?)
     ON CONFLICT (chat_jid) DO UPDATE SET group_folder = excluded.group_folder, created_at = excluded.created_at`,
  )
  const bindingQ = db.query<{ chat_jid: string; group_folder: string; created_at: number }, [string]>(
    'SELECT * FROM bindings WHERE chat_jid = ?',
  )
  const chatsOfQ = db.query<{ chat_jid: string }, [string]>(
    'SELECT chat_jid FROM bindings WHERE group_folder = ? ORDER BY created_at',
  )
  return {
    upsert(chat, now) {
      upsertQ.run({
        jid: chat.jid,
        platform: chat.platform,
        name: chat.name ?? null,
        isGroup: chat.isGroup ? 1 : 0,
        lastMessageAt: chat.lastMessageAt ?? null,
        now,
      })
    },
    get(jid) {
      const row = getQ.get(jid)
      return row ? toChat(row) : undefined
    },
    list(opts) {
      return listQ
        .all()
        .filter((r) => !opts?.unboundOnly || !r.group_folder)
        .map((r) => ({ ...toChat(r), groupFolder: r.group_folder ?? undefined }))
    },
    bind(chatJid, groupFolder, now) {
      bindQ.run(chatJid, groupFolder, now)
    },
    unbind: (chatJid) => db.run('DELETE FROM bindings WHERE chat_jid = ?', [chatJid]).changes > 0,
    bindingOf(chatJid) {
      const r = bindingQ.get(chatJid)
      return r ? { chatJid: r.chat_jid, groupFolder: r.group_folder, createdAt: r.created_at } : undefined
    },
    chatsOf: (folder) => chatsOfQ.all(folder).map((r) => r.chat_jid),
  }
}
