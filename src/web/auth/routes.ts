import { Elysia } from 'elysia'
import * as v from 'valibot'
import { NgbError } from '../../core/errors.ts'
import { HttpError } from '../errors.ts'
import type { AuthService } from './auth-service.ts'
import type { AuthGuard } from './guard.ts'
import { SESSION_COOKIE, sameOrigin } from './guard.ts'

const LoginBody = v.object({
  username: v.pipe(v.string(), v.maxLength(100)),
  password: v.pipe(v.string(), v.maxLength(1000)),
  next: v.optional(v.string()),
})
const SetupBody = v.object({
  token: v.pipe(v.string(), v.maxLength(200)),
  password: v.pipe(v.string(), v.maxLength(1000)),
  confirm: v.optional(v.pipe(v.string(), v.maxLength(1000))),
})
const SetupQuery = v.object({ token: v.optional(v.pipe(v.string(), v.maxLength(200))) })

/** Only same-site paths: never `//host` or a scheme. */
function safeNext(next: string | undefined): string {
  return next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/'
}

export interface AuthPages {
  login: (next: string, error?: string) => string
  setup: (token: string, error?: string) => string
}

function html(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8' } })
}

/** /login and /setup: the only public routes besides /api/health and the static assets. */
export function publicAuthRoutes(deps: { auth: AuthService; pages: AuthPages }) {
  const isJson = (r: Request) => (r.headers.get('content-type') ?? '').includes('application/json')
  return new Elysia({ name: 'ngb-auth-public' })
    .get('/login', ({ query }) => html(deps.pages.login(safeNext(query.next))), {
      query: v.object({ next: v.optional(v.string()) }),
    })
    .post(
      '/login',
      async ({ body, request, server, cookie, redirect }) => {
        // Login CSRF: a cross-site form cannot log the victim into our session.
        if (!sameOrigin(request)) throw new NgbError('forbidden', 'cross-origin login refused')
        const ip = server?.requestIP(request)?.address
        const next = safeNext(body.next)
        try {
          const { sessionId } = await deps.auth.login(body.username, body.password, ip)
          cookie[SESSION_COOKIE]?.set({
            value: sessionId,
            httpOnly: true,
            sameSite: 'strict',
            path: '/',
            secure: new URL(request.url).protocol === 'https:',
            maxAge: Math.floor(deps.auth.sessionTtlMs / 1000),
          })
          return isJson(request) ? { ok: true } : redirect(next, 303)
        } catch (error) {
          if (isJson(request) || !(error instanceof NgbError)) throw error
          const status = error instanceof HttpError ? error.status : 401
          const page = html(deps.pages.login(next, error.message), status)
          if (error instanceof HttpError && error.retryAfterS !== undefined)
            page.headers.set('retry-after', String(error.retryAfterS))
          return page
        }
      },
      { body: LoginBody },
    )
    .get(
      '/setup',
      ({ query, redirect }) => {
        if (!deps.auth.needsSetup()) return redirect('/login', 303)
        const token = query.token ?? ''
        if (!deps.auth.checkSetupToken(token))
          return html(
            deps.pages.setup('', 'This setup link is not valid. Use the link `ngb serve` printed.'),
            403,
          )
        return html(deps.pages.setup(token))
      },
      { query: SetupQuery },
    )
    .post(
      '/setup',
      async ({ body, request, cookie, redirect }) => {
        if (!sameOrigin(request)) throw new NgbError('forbidden', 'cross-origin setup refused')
        if (body.confirm !== undefined && body.confirm !== body.password)
          return html(deps.pages.setup(body.token, 'The two passwords differ.'), 422)
        try {
          const { sessionId } = await deps.auth.completeSetup(body.token, body.password)
          cookie[SESSION_COOKIE]?.set({
            value: sessionId,
            httpOnly: true,
            sameSite: 'strict',
            path: '/',
            maxAge: Math.floor(deps.auth.sessionTtlMs / 1000),
          })
          return isJson(request) ? { ok: true } : redirect('/', 303)
        } catch (error) {
          if (isJson(request) || !(error instanceof NgbError)) throw error
          return html(deps.pages.setup(body.token, error.message), error.code === 'forbidden' ? 403 : 422)
        }
      },
      { body: SetupBody },
    )
}

/** /logout needs the session (and its CSRF token) like every other state change. */
export function logoutRoute(guard: AuthGuard, auth: AuthService) {
  return new Elysia().use(guard).post('/logout', ({ cookie, redirect, request }) => {
    const id = cookie[SESSION_COOKIE]?.value
    if (typeof id === 'string') auth.logout(id)
    cookie[SESSION_COOKIE]?.remove()
    return request.headers.get('hx-request')
      ? new Response(null, { headers: { 'hx-redirect': '/login' } })
      : redirect('/login', 303)
  })
}
