import { Elysia } from 'elysia'
import { ErrorFragment } from '../../views/components.tsx'
import { ErrorPage } from '../../views/layout.tsx'
import type { ErrorCode } from '../core/errors.ts'
import { NgbError } from '../core/errors.ts'
import type { Logger } from '../util/log.ts'
import { ASSETS } from './static.ts'
import { validationIssues } from './validation-issues.ts'

/** Error body of every JSON answer: `{error, message, details?}`. */
export interface ErrorBody {
  error: string
  message: string
  details?: unknown
}

const STATUS: Record<ErrorCode, number> = {
  config_invalid: 500,
  not_found: 404,
  conflict: 409,
  invalid_input: 422,
  unauthorized: 401,
  forbidden: 403,
  container_failed: 502,
  channel_failed: 502,
  plugin_failed: 500,
  db_failed: 500,
  verification_failed: 422,
  unavailable: 503,
  rate_limited: 429,
}

/** Thrown by the web layer for HTTP-only failures (rate limits, a bad CSRF token). */
export class HttpError extends NgbError {
  readonly status: number
  readonly retryAfterS?: number
  /** A whole page to answer with instead of the error body (the login page for a browser). */
  readonly page?: string
  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    opts?: { retryAfterS?: number; page?: string },
  ) {
    super(code, message)
    this.name = 'HttpError'
    this.status = status
    this.retryAfterS = opts?.retryAfterS
    this.page = opts?.page
  }
}

/** A browser navigating to a page (not the API, not htmx) gets HTML, not JSON. */
function isPageRequest(request: Request): boolean {
  const path = new URL(request.url).pathname
  return (
    request.method === 'GET' &&
    !path.startsWith('/api') &&
    !path.startsWith('/ws') &&
    (request.headers.get('accept') ?? '').includes('text/html')
  )
}

export function toErrorResponse(
  status: number,
  body: ErrorBody,
  htmx: boolean,
  extraHeaders: Record<string, string> = {},
  page = false,
): Response {
  if (page && !htmx) {
    return new Response(String(ErrorPage({ status, message: body.message, css: ASSETS.css })), {
      status,
      headers: { 'content-type': 'text/html; charset=utf-8', ...extraHeaders },
    })
  }
  if (htmx) {
    // htmx 4 swaps 4xx/5xx bodies; send them to the page's alert region instead of the form's target.
    return new Response(String(ErrorFragment({ body })), {
      status,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'hx-retarget': '#flash',
        'hx-reswap': 'innerHTML',
        ...extraHeaders,
      },
    })
  }
  return Response.json(body, { status, headers: extraHeaders })
}

/**
 * The one error funnel of the web surface: NgbError code → status, valibot failures → 422 with
 * the issues, unknown errors → 500 without internals. JSON, or an HTML fragment for htmx.
 */
export function errorHandler(log: Logger) {
  return new Elysia({ name: 'ngb-errors' }).onError({ as: 'global' }, ({ code, error, request }) => {
    const htmx = request.headers.get('hx-request') === 'true'
    const page = isPageRequest(request)
    if (error instanceof HttpError) {
      if (error.page !== undefined)
        return new Response(error.page, {
          status: error.status,
          headers: { 'content-type': 'text/html; charset=utf-8' },
        })
      const headers: Record<string, string> = error.retryAfterS
        ? { 'retry-after': String(error.retryAfterS) }
        : {}
      return toErrorResponse(error.status, { error: error.code, message: error.message }, htmx, headers, page)
    }
    if (error instanceof NgbError) {
      const field = (error as { field?: unknown }).field
      return toErrorResponse(
        STATUS[error.code],
        {
          error: error.code,
          message: error.message,
          ...(typeof field === 'string' ? { details: [{ path: field, message: error.message }] } : {}),
        },
        htmx,
        {},
        page,
      )
    }
    switch (code) {
      case 'VALIDATION': {
        const details = validationIssues(error)
        const first = details[0]
        const message = first
          ? `${first.path ? `${first.path}: ` : ''}${first.message}`
          : 'the request is not valid'
        return toErrorResponse(422, { error: 'invalid_input', message, details }, htmx)
      }
      case 'PARSE':
        return toErrorResponse(400, { error: 'invalid_input', message: 'the body could not be parsed' }, htmx)
      case 'NOT_FOUND':
        return toErrorResponse(404, { error: 'not_found', message: 'no such page or route' }, htmx, {}, page)
      case 'INVALID_COOKIE_SIGNATURE':
        return toErrorResponse(401, { error: 'unauthorized', message: 'log in again' }, htmx)
      default: {
        log.error('web request failed', { path: new URL(request.url).pathname, error: String(error) })
        return toErrorResponse(
          500,
          { error: 'internal', message: 'internal error; see the server log' },
          htmx,
        )
      }
    }
  })
}
