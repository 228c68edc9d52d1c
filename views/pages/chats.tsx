import type { Group } from '../../src/core/types.ts'
import type { ChatWithBinding } from '../../src/db/repos/chats.ts'
import { fmtTime } from '../format.ts'

export function ChatRow({ chat, groups }: { chat: ChatWithBinding; groups: Group[] }) {
  const id = `chat-${Bun.hash(chat.jid).toString(36)}`
  return (
    <tr id={id}>
      <td data-label="Chat">
        <code safe>{chat.jid}</code>
      </td>
      <td data-label="Name" safe>
        {chat.name ?? ''}
      </td>
      <td data-label="Last message">{fmtTime(chat.lastMessageAt)}</td>
      <td data-label="Group">
        {chat.groupFolder ? (
          <a href={`/groups/${chat.groupFolder}`} safe>
            {chat.groupFolder}
          </a>
        ) : (
          <form hx-post="/chats/bind" hx-target={`#${id}`} hx-swap="outerHTML" class="inline">
            <input type="hidden" name="chatJid" value={chat.jid} />
            <label class="muted" for={`${id}-g`}>
              Group
            </label>
            <select id={`${id}-g`} name="groupFolder">
              {groups.map((g) => (
                <option value={g.folder} safe>
                  {g.folder}
                </option>
              ))}
            </select>
            <button type="submit" aria-label={`Bind ${chat.jid}`}>
              Bind
            </button>
          </form>
        )}
      </td>
    </tr>
  )
}

export function ChatsPage({ chats, groups }: { chats: ChatWithBinding[]; groups: Group[] }) {
  return (
    <div class="table-wrap">
      <table class="cards">
        <thead>
          <tr>
            <th>Chat</th>
            <th>Name</th>
            <th>Last message</th>
            <th>Group</th>
          </tr>
        </thead>
        <tbody>
          {chats.map((c) => (
            <ChatRow chat={c} groups={groups} />
          ))}
        </tbody>
      </table>
    </div>
  )
}
