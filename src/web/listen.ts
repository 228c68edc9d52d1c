import { ConflictError } from '../core/errors.ts'
import type { createWebApp } from './app.ts'

/** Bodies above this are refused by Bun before any handler runs (the API takes small JSON only). */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024

/**
 * Listens with the settings a daemon needs, which differ from Elysia's defaults:
 * - `reusePort: false`: a second server on the same port fails instead of sharing it (with
 *   SO_REUSEPORT the kernel spread requests over both, and /api/health alternated between them);
 * - `development: false` and an `error` handler: whatever escapes the app (a request Bun cannot turn
 *   into a URL, such as one without a Host header) answers a plain 400, never Bun's developer page,
 *   which shows the working directory and source lines to an unauthenticated client.
 */
export function listenSafely(app: ReturnType<typeof createWebApp>, hostname: string, port: number): void {
  try {
    app.listen({
      hostname,
      port,
      reusePort: false,
      development: false,
      maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
      error: () => new Response('bad request\n', { status: 400, headers: { 'content-type': 'text/plain' } }),
    })
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'EADDRINUSE')
      throw new ConflictError(
        `port ${port} on ${hostname} is already in use (another ngb serve or another program); choose another with --port`,
      )
    throw error
  }
}
