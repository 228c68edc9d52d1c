import type { ApiToken } from '../../src/db/repos/auth.ts'
import type { SessionRecord } from '../../src/db/repos/sessions.ts'
import type { ConfigRow } from '../../src/web/services.ts'

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
