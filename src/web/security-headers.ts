import { Elysia } from 'elysia'

/**
 * Sent with every dashboard and API response. The CSP allows only what ngb embeds and serves
 * itself (htmx, its ws extension, app.js, app.css under /static): no inline script or style, no
 * eval, no framing, no third-party origin; the WebSocket is same-origin ('self').
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ')

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // Not no-referrer: Chrome then sends `Origin: null` on form posts, which the CSRF origin check refuses.
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
}

/**
 * Adds the headers after everything else ran, errors and early answers (the Host guard) included:
 * a response built as a `Response` keeps its own headers and gains these.
 */
export function securityHeaders() {
  return new Elysia({ name: 'ngb-security-headers' })
    .onRequest(({ set }) => {
      Object.assign(set.headers, SECURITY_HEADERS)
    })
    .mapResponse({ as: 'global' }, ({ response }) => {
      if (!(response instanceof Response)) return
      for (const [k, v] of Object.entries(SECURITY_HEADERS))
        if (!response.headers.has(k)) response.headers.set(k, v)
      return response
    })
}
