import { Elysia } from 'elysia'
import { NgbError } from '../../core/errors.ts'
import { HttpError } from '../errors.ts'
import type { AuthService, Principal } from './auth-service.ts'

export const SESSION_COOKIE = 'ngb_session'
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Hostnames the dashboard answers to; anything else is a DNS-rebinding attempt or a mistake. */
export function allowedHostnames(bindHost: string, extra: string[] = []): Set<string> {
  const hosts = new Set(['localhost', '127.0.0.1', '[::1]'])
  if (bindHost !== '0.0.0.0' && bindHost !== '::')
    hosts.add(bindHost.includes(':') ? `[${bindHost}]` : bindHost)
  for (const h of extra) if (h.trim()) hosts.add(h.trim().toLowerCase())
  return hosts
}

export function hostnameOf(request: Request): string {
  const host = request.headers.get('host') ?? new URL(request.url).host
  return host.toLowerCase().replace(/:\d+$/, '')
}

/** Runs before routing for every request, public ones included: a foreign Host gets 403. */
export function hostGuard(allowed: Set<string>) {
  return new Elysia({ name: 'ngb-host-guard' }).onRequest(({ request }) => {
    if (!allowed.has(hostnameOf(request))) {
      return Response.json(
        {
          error: 'forbidden',
          message: `host "${hostnameOf(request)}" is not allowed; add it to NGB_WEB_ALLOWED_HOSTS`,
        },
        { status: 403 },
      )
    }
  })
}

function bearerOf(request: Request): string | undefined {
  const h = request.headers.get('authorization')
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined
}

export function sameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin')
  if (!origin) return true
  try {
    const o = new URL(origin)
    const host = request.headers.get('host') ?? new URL(request.url).host
    return o.host.toLowerCase() === host.toLowerCase()
  } catch {
    return false
  }
}

function wantsPage(request: Request, path: string): boolean {
  return (
    request.method === 'GET' &&
    !path.startsWith('/api') &&
    !path.startsWith('/ws') &&
    request.headers.get('hx-request') !== 'true'
  )
}

export interface AuthGuardDeps {
  auth: AuthService
  /** The login page for a browser that is not logged in (answered with 401). */
  renderLogin: (next: string) => string
}

/**
 * Runs as a derive (before body validation), so an anonymous request learns nothing about a
 * route's schema. Everything registered after this plugin requires a principal: a session cookie or a bearer
 * token. Cookie-authenticated state changes also need the session's CSRF token (X-CSRF-Token)
 * and, when the browser sends one, a same-origin Origin header.
 */
export function authGuard(deps: AuthGuardDeps) {
  return new Elysia({ name: 'ngb-auth-guard' }).derive({ as: 'global' }, ({ request, cookie }) => {
    const url = new URL(request.url)
    const bearer = bearerOf(request)
    const sessionId = cookie[SESSION_COOKIE]?.value
    let principal: Principal | undefined
    if (bearer) principal = deps.auth.fromBearer(bearer)
    else if (typeof sessionId === 'string' && sessionId) principal = deps.auth.fromSession(sessionId)
    if (!principal) {
      if (wantsPage(request, url.pathname)) {
        throw new HttpError(401, 'unauthorized', 'log in first', {
          page: deps.renderLogin(url.pathname + url.search),
        })
      }
      throw new HttpError(401, 'unauthorized', 'log in or send an API token (Authorization: Bearer …)')
    }
    if (principal.kind === 'session' && !SAFE_METHODS.has(request.method)) {
      if (!sameOrigin(request)) throw new NgbError('forbidden', 'cross-origin request refused')
      if (!deps.auth.verifyCsrf(principal, request.headers.get('x-csrf-token')))
        throw new NgbError('forbidden', 'missing or stale CSRF token; reload the page')
    }
    return { principal }
  })
}

export type AuthGuard = ReturnType<typeof authGuard>
