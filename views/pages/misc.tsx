import type { Group, Run } from '../../src/core/types.ts'
import type { ApiToken } from '../../src/db/repos/auth.ts'
import type { ChatWithBinding } from '../../src/db/repos/chats.ts'
import type { SessionRecord } from '../../src/db/repos/sessions.ts'
import type { ChannelStatus, ConfigRow, PluginInfo } from '../../src/web/services.ts'
import { RunRow, StatusBadge } from '../components.tsx'
import { fmtDuration, fmtTime } from '../format.ts'

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

export function RunsPage({ runs }: { runs: Run[] }) {
  return (
    <div class="table-wrap">
      <table class="cards">
        <thead>
          <tr>
            <th>Run</th>
            <th>Group</th>
            <th>Trigger</th>
            <th>Status</th>
            <th>Started</th>
            <th>Duration</th>
          </tr>
        </thead>
        <tbody id="runs-body">
          {runs.map((r) => (
            <RunRow run={r} />
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function RunDetailPage({ run, log }: { run: Run; log: string }) {
  return (
    <>
      <p>
        <StatusBadge status={run.status} /> group <span safe>{run.groupFolder}</span>, {run.trigger}, started{' '}
        {fmtTime(run.startedAt)}, took {fmtDuration(run.startedAt, run.finishedAt)}, {run.bytesOut} bytes out
      </p>
      {run.error ? (
        <p class="alert error" safe>
          {run.error}
        </p>
      ) : (
        ''
      )}
      <h2>Log</h2>
      <pre safe>{log || '(no log)'}</pre>
    </>
  )
}

export function ChannelRow({ c }: { c: ChannelStatus }) {
  return (
    <tr id={`channel-${c.name}`}>
      <td safe>{c.name}</td>
      <td>
        <StatusBadge status={c.status} />
      </td>
      <td safe>{c.detail ?? ''}</td>
      <td>
        <button
          type="button"
          hx-post={`/channels/${c.name}/${c.enabled ? 'disable' : 'enable'}`}
          hx-target={`#channel-${c.name}`}
          hx-swap="outerHTML"
        >
          {c.enabled ? 'Disable' : 'Enable'}
        </button>
      </td>
    </tr>
  )
}

export function ChannelsPage({ channels }: { channels: ChannelStatus[] }) {
  return (
    <table class="cards">
      <thead>
        <tr>
          <th>Channel</th>
          <th>Status</th>
          <th>Detail</th>
          <th>Action</th>
        </tr>
      </thead>
      <tbody>
        {channels.map((c) => (
          <ChannelRow c={c} />
        ))}
      </tbody>
    </table>
  )
}

export function PluginRow({ p }: { p: PluginInfo }) {
  return (
    <section id={`plugin-${p.name}`} class="card">
      <h2 safe>{p.name}</h2>
      <p class="muted" safe>
        {p.description}
      </p>
      <button
        type="button"
        hx-post={`/plugins/${p.name}/${p.enabled ? 'disable' : 'enable'}`}
        hx-target={`#plugin-${p.name}`}
        hx-swap="outerHTML"
      >
        {p.enabled ? 'Disable' : 'Enable'}
      </button>
      <form
        hx-put={`/plugins/${p.name}/config`}
        hx-target={`#plugin-${p.name}`}
        hx-swap="outerHTML"
        class="stack"
      >
        <label for={`cfg-${p.name}`}>Config (JSON)</label>
        <textarea id={`cfg-${p.name}`} name="config" rows="4" safe>
          {JSON.stringify(p.config, null, 2)}
        </textarea>
        <button type="submit">Save config</button>
      </form>
    </section>
  )
}

export function PluginsPage({ plugins }: { plugins: PluginInfo[] }) {
  return (
    <>
      <p class="muted">Built-in plugins. External plugins appear here once the plugin host loads them.</p>
      <div class="grid">
        {plugins.map((p) => (
          <PluginRow p={p} />
        ))}
      </div>
    </>
  )
}

export function SettingsPage(p: { config: ConfigRow[]; tokens: ApiToken[]; sessions: SessionRecord[] }) {
  return (
    <>
      <h2>API tokens</h2>
      <form hx-post="/settings/tokens" hx-target="#token-new" class="inline">
        <label for="tok-name">Token name</label>
        <input id="tok-name" name="name" required />
        <button type="submit">Create token</button>
      </form>
      <div id="token-new" aria-live="polite" />
      <ul>
        {p.tokens.map((t) => (
          <li id={`tok-${t.id}`}>
            <span safe>{t.name}</span> <code safe>{t.id}</code> {t.revokedAt ? '(revoked)' : ''}{' '}
            {t.revokedAt ? (
              ''
            ) : (
              <button
                type="button"
                hx-post={`/settings/tokens/${t.id}/revoke`}
                hx-target={`#tok-${t.id}`}
                hx-swap="outerHTML"
              >
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      <h2>Agent sessions</h2>
      <ul>
        {p.sessions.map((s) => (
          <li>
            <span safe>{`${s.groupFolder} (${s.scope}) ${s.sessionId}`}</span>{' '}
            <button
              type="button"
              hx-post={`/sessions/${s.groupFolder}/reset`}
              hx-vals={JSON.stringify({ scope: s.scope })}
              hx-target="closest li"
              hx-swap="outerHTML"
            >
              Reset
            </button>
          </li>
        ))}
      </ul>
      <h2>Configuration</h2>
      <div class="table-wrap">
        <table class="cards">
          <thead>
            <tr>
              <th>Setting</th>
              <th>Value</th>
              <th>Source</th>
            </tr>
          </thead>
          <tbody>
            {p.config.map((r) => (
              <tr>
                <td>
                  <code safe>{r.env}</code>
                </td>
                <td safe>{r.value}</td>
                <td safe>{r.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}
