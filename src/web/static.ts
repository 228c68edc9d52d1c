import { Elysia } from 'elysia'
import wsPath from 'htmx.org/dist/ext/hx-ws.min.js' with { type: 'file' }
import htmxPath from 'htmx.org/dist/htmx.min.js' with { type: 'file' }
import pkg from '../../package.json' with { type: 'json' }
import css from './static/app.css' with { type: 'text' }
import js from './static/app.js' with { type: 'text' }

const HTMX_VERSION = pkg.dependencies['htmx.org']

/** Versioned URLs, so the immutable cache header is safe. */
export const ASSETS = {
  htmx: `/static/htmx-${HTMX_VERSION}.min.js`,
  ws: `/static/hx-ws-${HTMX_VERSION}.min.js`,
  // A content hash, not the package version: a CSS edit must never be served from a stale cache.
  css: `/static/app-${Bun.hash(css).toString(36)}.css`,
  js: `/static/app-${Bun.hash(js).toString(36)}.js`,
}

const serve = (path: string, type: string) => () =>
  new Response(Bun.file(path), {
    headers: { 'content-type': type, 'cache-control': 'public, max-age=31536000, immutable' },
  })

/** htmx, its ws extension, the page script and the stylesheet, embedded in the compiled binary (no CDN). */
export function staticAssets() {
  return new Elysia({ name: 'ngb-static' })
    .get(ASSETS.htmx, serve(htmxPath, 'text/javascript; charset=utf-8'))
    .get(ASSETS.ws, serve(wsPath, 'text/javascript; charset=utf-8'))
    .get(
      ASSETS.js,
      () =>
        new Response(js, {
          headers: {
            'content-type': 'text/javascript; charset=utf-8',
            'cache-control': 'public, max-age=31536000, immutable',
          },
        }),
    )
    .get(
      ASSETS.css,
      () =>
        new Response(css, {
          headers: {
            'content-type': 'text/css; charset=utf-8',
            'cache-control': 'public, max-age=31536000, immutable',
          },
        }),
    )
}
