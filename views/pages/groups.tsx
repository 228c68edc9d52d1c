import type { Group, StoredMessage } from '../../src/core/types.ts'
import type { BindToken } from '../../src/db/repos/bind-tokens.ts'
import { MessageItem } from '../components.tsx'
import { fmtTime, RESET_ON_SUCCESS } from '../format.ts'

export function GroupsPage({ groups }: { groups: Group[] }) {
  return (
    <>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Folder</th>
              <th>Name</th>
              <th>Trigger</th>
              <th>Main</th>
            </tr>
          </thead>
          <tbody id="groups-body">
            {groups.map((g) => (
              <tr>
                <td>
                  <a href={`/groups/${g.folder}`} safe>
                    {g.folder}
                  </a>
                </td>
                <td safe>{g.name}</td>
                <td safe>{g.triggerMode}</td>
                <td>{g.isMain ? 'yes' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>New group</h2>
      <form hx-post="/groups" class="stack" aria-label="New group">
        <label for="g-folder">Folder (a-z, 0-9, -)</label>
        <input id="g-folder" name="folder" required pattern="[a-z0-9][a-z0-9\-]{0,63}" />
        <label for="g-name">Name</label>
        <input id="g-name" name="name" placeholder="default: the folder" />
        <label for="g-trigger">Trigger</label>
        <select id="g-trigger" name="triggerMode">
          <option value="always">always</option>
          <option value="mention">mention</option>
          <option value="pattern">pattern</option>
        </select>
        <label for="g-pattern">Pattern (for the pattern trigger)</label>
        <input id="g-pattern" name="triggerPattern" />
        <button type="submit" class="primary">
          Create group
        </button>
      </form>
    </>
  )
}

export interface GroupDetailProps {
  /** The group's extra mounts, one `host:container[:ro]` per line. */
  mounts: string
  group: Group
  messages: StoredMessage[]
  memory: string
  chats: string[]
  tokens: BindToken[]
  /** Server-rendered usage charts of this group (views/usage.tsx). */
  charts: JSX.Element
}

export function TokenNotice({ token }: { token: BindToken }) {
  return (
    <p class="alert ok" role="status">
      Send <code safe>{token.token}</code> in the chat to bind it (valid until {fmtTime(token.expiresAt)}).
    </p>
  )
}

const BUDGET_FIELDS = [
  ['dailyUsd', 'Daily budget (USD)', '0.01'],
  ['monthlyUsd', 'Monthly budget (USD)', '0.01'],
  ['dailyTokens', 'Daily budget (tokens)', '1'],
  ['monthlyTokens', 'Monthly budget (tokens)', '1'],
] as const

export function GroupDetailPage(p: GroupDetailProps) {
  const f = p.group.folder
  return (
    <>
      <section class="chat" aria-label="Chat with the agent">
        <div>
          <h2>Chat</h2>
          <ul id="chat-log" class="log" aria-live="polite" aria-label="Conversation">
            {p.messages.map((m) => (
              <MessageItem m={m} />
            ))}
          </ul>
          <form
            hx-post={`/groups/${f}/chat`}
            hx-swap="none"
            hx-encoding="multipart/form-data"
            {...RESET_ON_SUCCESS}
            class="stack chat-form"
          >
            <label for="chat-text" class="muted">
              Message
            </label>
            <textarea id="chat-text" name="text" rows="2" />
            <label for="chat-file" class="muted">
              Attach a file
            </label>
            <input id="chat-file" name="file" type="file" multiple />
            <button type="submit" class="primary">
              Send
            </button>
          </form>
        </div>
        <div>
          <h2>Live activity</h2>
          <p id="agent-status" class="muted" aria-live="polite">
            Idle
          </p>
          <ul id="activity" class="log" aria-label="Agent activity" />
        </div>
      </section>
      <h2>Usage</h2>
      {p.charts}
      <h2>Budget</h2>
      <form hx-put={`/groups/${f}/budget`} hx-target="#budget-status" class="stack" aria-label="Budget">
        {BUDGET_FIELDS.map(([name, label, step]) => (
          <>
            <label for={`b-${name}`}>{label}</label>
            <input
              id={`b-${name}`}
              name={name}
              type="number"
              min="0"
              step={step}
              placeholder="no limit"
              value={String(p.group.settings.budget?.[name] ?? '')}
            />
          </>
        ))}
        <label for="b-policy">Over budget</label>
        <select id="b-policy" name="policy">
          {(['hold', 'drop'] as const).map((m) => (
            <option value={m} selected={(p.group.settings.budget?.policy ?? 'hold') === m}>
              {m === 'hold' ? 'hold messages, answer when the budget allows' : 'do not answer'}
            </option>
          ))}
        </select>
        <button type="submit">Save budget</button>
        <div id="budget-status" aria-live="polite" />
      </form>
      <h2>Memory (CLAUDE.md)</h2>
      <form hx-put={`/groups/${f}/memory`} hx-target="#memory-status" class="stack">
        <label for="memory">CLAUDE.md</label>
        <textarea id="memory" name="text" rows="10" safe>
          {p.memory}
        </textarea>
        <button type="submit">Save memory</button>
        <div id="memory-status" aria-live="polite" />
      </form>
      <h2>Settings</h2>
      <form hx-put={`/groups/${f}/settings`} hx-target="#settings-status" class="stack">
        <label for="s-name">Name</label>
        <input id="s-name" name="name" value={p.group.name} required />
        <label for="s-trigger">Trigger</label>
        <select id="s-trigger" name="triggerMode">
          {(['always', 'mention', 'pattern'] as const).map((m) => (
            <option value={m} selected={p.group.triggerMode === m}>
              {m}
            </option>
          ))}
        </select>
        <label for="s-pattern">Pattern</label>
        <input id="s-pattern" name="triggerPattern" value={p.group.triggerPattern ?? ''} />
        <label for="s-network">Container network</label>
        <select id="s-network" name="network">
          {(['', 'bridge', 'none', 'host'] as const).map((n) => (
            <option value={n} selected={(p.group.settings.network ?? '') === n}>
              {n || '(default)'}
            </option>
          ))}
        </select>
        <label for="s-mounts">Extra mounts</label>
        <textarea
          id="s-mounts"
          name="mounts"
          rows="3"
          placeholder="~/projects/app:app:ro"
          aria-describedby="s-mounts-help"
          safe
        >
          {p.mounts}
        </textarea>
        <small id="s-mounts-help">
          One host:container[:ro] per line, under /workspace/extra; only paths the mount allowlist allows.
        </small>
        <button type="submit">Save settings</button>
        <div id="settings-status" aria-live="polite" />
      </form>
      <h2>Bindings</h2>
      <ul id="bindings">
        {p.chats.map((jid) => (
          <li>
            <code safe>{jid}</code>{' '}
            <button
              type="button"
              hx-post="/chats/unbind"
              hx-vals={JSON.stringify({ chatJid: jid })}
              hx-target="closest li"
              hx-swap="outerHTML"
            >
              Unbind
            </button>
          </li>
        ))}
      </ul>
      <button type="button" hx-post={`/groups/${f}/tokens`} hx-target="#token-out">
        Create a bind token
      </button>
      <div id="token-out" aria-live="polite">
        {p.tokens.map((t) => (
          <TokenNotice token={t} />
        ))}
      </div>
    </>
  )
}
