import type { Children } from '@kitajs/html'

export interface LayoutProps {
  title: string
  active?: string
  csrf: string
  username: string
  /** WebSocket URL for live fragments (hx-ws); omitted for static pages. */
  live?: string
  assets: { htmx: string; ws: string; css: string; js: string }
  children?: Children
}

const NAV: Array<[string, string]> = [
  ['/', 'Overview'],
  ['/groups', 'Groups'],
  ['/chats', 'Chats'],
  ['/tasks', 'Tasks'],
  ['/runs', 'Runs'],
  ['/usage', 'Usage'],
  ['/channels', 'Channels'],
  ['/plugins', 'Plugins'],
  ['/settings', 'Settings'],
]

/** How every page's head starts, dashboard and login alike: charset, viewport, colour scheme, title. */
function HeadBasics({ title }: { title: string }) {
  return (
    <>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light dark" />
      <title safe>{`${title} · ngb`}</title>
    </>
  )
}

export function Layout(p: LayoutProps) {
  const headers = JSON.stringify({ 'X-CSRF-Token': p.csrf })
  return (
    <>
      {'<!doctype html>'}
      <html lang="en">
        <head>
          <HeadBasics title={p.title} />
          <link rel="stylesheet" href={p.assets.css} />
          <script src={p.assets.htmx} />
          <script src={p.assets.ws} />
          <script src={p.assets.js} />
        </head>
        <body hx-headers:inherited={headers}>
          <a class="skip" href="#main">
            Skip to content
          </a>
          <header>
            <nav aria-label="Main">
              <span class="brand">ngb</span>
              <ul>
                {NAV.map(([href, label]) => (
                  <li>
                    <a href={href} aria-current={p.active === href ? 'page' : undefined}>
                      {label}
                    </a>
                  </li>
                ))}
              </ul>
              <button type="button" class="logout" hx-post="/logout" aria-label={`Log out ${p.username}`}>
                Log out
              </button>
            </nav>
          </header>
          <div id="flash" role="alert" aria-live="polite" />
          <main id="main">
            <h1 safe>{p.title}</h1>
            {p.live ? (
              <p class="muted live">
                <span id="live" hx-ws:connect={p.live} />
                <span id="live-status" aria-live="polite">
                  connecting…
                </span>
              </p>
            ) : (
              ''
            )}
            {p.children}
          </main>
        </body>
      </html>
    </>
  )
}

export function AuthLayout({ title, css, children }: { title: string; css: string; children?: Children }) {
  return (
    <>
      {'<!doctype html>'}
      <html lang="en">
        <head>
          <HeadBasics title={title} />
          <link rel="stylesheet" href={css} />
        </head>
        <body class="auth">
          <main id="main">
            <h1 safe>{title}</h1>
            {children}
          </main>
        </body>
      </html>
    </>
  )
}

/** The one error line of a login, setup or error page; the message is escaped. */
function FormError({ message }: { message: string }) {
  return (
    <p class="alert error" role="alert" safe>
      {message}
    </p>
  )
}

export function LoginForm({ next, error, css }: { next: string; error?: string; css: string }) {
  return (
    <AuthLayout title="Log in" css={css}>
      {error ? <FormError message={error} /> : ''}
      <form method="post" action="/login" class="stack">
        <input type="hidden" name="next" value={next} />
        <label for="username">User name</label>
        <input id="username" name="username" value="admin" autocomplete="username" required />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">Log in</button>
      </form>
    </AuthLayout>
  )
}

export function SetupForm({ token, error, css }: { token: string; error?: string; css: string }) {
  return (
    <AuthLayout title="Set the admin password" css={css}>
      <p>
        First run: choose the password for the user <code>admin</code>.
      </p>
      {error ? <FormError message={error} /> : ''}
      <form method="post" action="/setup" class="stack">
        <input type="hidden" name="token" value={token} />
        <label for="password">New password (at least 8 characters)</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="new-password"
          minlength="8"
          required
        />
        <label for="confirm">Repeat the password</label>
        <input
          id="confirm"
          name="confirm"
          type="password"
          autocomplete="new-password"
          minlength="8"
          required
        />
        <button type="submit">Save and log in</button>
      </form>
    </AuthLayout>
  )
}

export function ErrorPage({ status, message, css }: { status: number; message: string; css: string }) {
  return (
    <AuthLayout title={status === 404 ? 'Not found' : 'Something went wrong'} css={css}>
      <FormError message={message} />
      <p>
        <a href="/">Back to the overview</a>
      </p>
    </AuthLayout>
  )
}
