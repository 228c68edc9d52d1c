import type { Server, WebSocketHandler } from 'bun'

/**
 * A platform fake's one local server: the platform's WebSocket endpoint at `socketPath`, its HTTP
 * API (and file hosting) everywhere else. Port 0 on 127.0.0.1; no idle timeout, since SDKs keep the
 * socket open for the whole test.
 */
export function serveWithSocket(opts: {
  socketPath: string
  http: (req: Request, url: URL) => Response | Promise<Response>
  websocket: WebSocketHandler<undefined>
}): Server<undefined> {
  return Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 0,
    fetch(req, srv) {
      const url = new URL(req.url)
      if (url.pathname === opts.socketPath) {
        if (srv.upgrade(req)) return undefined
        return new Response('upgrade required', { status: 426 })
      }
      return opts.http(req, url)
    },
    websocket: opts.websocket,
  })
}
