import { createWebhookRouter, type WebhookRouter } from '../../src/core/channel/webhooks.ts'
import type { Logger } from '../../src/util/log.ts'

export interface HooksServer {
  /** The router a webhook-mode channel mounts its handler into. */
  hooks: WebhookRouter
  /** Where the platform's fake posts its events: `/hooks/<platform>` on this server. */
  url(platform: string): string
  stop(): Promise<void>
}

/** A webhook router served on 127.0.0.1:0 the way ngb's web server routes `/hooks/<platform>`. */
export function serveHooks(log: Logger): HooksServer {
  const hooks = createWebhookRouter({ log })
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (req) => hooks.handle(new URL(req.url).pathname.split('/')[2] ?? '', req),
  })
  return {
    hooks,
    url: (platform) => `http://127.0.0.1:${server.port}/hooks/${platform}`,
    stop: () => server.stop(true),
  }
}
