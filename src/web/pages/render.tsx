import type { Children } from '@kitajs/html'
import { Layout } from '../../../views/layout.tsx'
import type { AuthService, Principal } from '../auth/auth-service.ts'
import { ASSETS } from '../static.ts'

const HTML = { 'content-type': 'text/html; charset=utf-8' }

export function fragment(html: string | Promise<string>, status = 200, headers: Record<string, string> = {}) {
  return new Response(String(html), { status, headers: { ...HTML, ...headers } })
}

export interface PageOptions {
  title: string
  active?: string
  live?: string
  body: Children
}

export type RenderPage = (principal: Principal, opts: PageOptions) => Response

/** Full pages: the layout with the session's CSRF token on <body> for every htmx request. */
export function pageRenderer(auth: AuthService): RenderPage {
  return (principal, o) =>
    fragment(
      <Layout
        title={o.title}
        active={o.active}
        csrf={auth.csrfToken(principal)}
        username={principal.username}
        live={o.live}
        assets={ASSETS}
      >
        {o.body}
      </Layout>,
    )
}
