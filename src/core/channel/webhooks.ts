import type { Logger } from '../../util/log.ts'
import { errorMessage } from '../errors.ts'

/**
 * Webhooks of chat platforms (WhatsApp, Feishu and WeCom callback modes …) on the ngb web server,
 * all under one prefix: `/hooks/<platform>`. They are exempt from login, because the caller is the
 * platform, not a user; instead each handler checks its platform's signature over the raw bytes
 * before it parses anything. A channel mounts its handler when it connects and unmounts it when
 * it disconnects, so a disabled platform answers 404 like an unknown one.
 */
export const HOOKS_PREFIX = '/hooks'

export interface WebhookRequest {
  method: string
  url: URL
  headers: Headers
  /** The body exactly as received: signatures are computed over these bytes. */
  body: Uint8Array
}

/** Answers one platform request; 401 means "signature or token refused" and is logged by the router. */
export type WebhookHandler = (req: WebhookRequest) => Response | Promise<Response>

export interface WebhookRouter {
  /** Serves `/hooks/<platform>` with `handler` until the returned function is called. */
  mount(platform: string, handler: WebhookHandler): () => void
  /** True while `platform` has a handler (tests, status). */
  mounted(platform: string): boolean
  handle(platform: string, request: Request): Promise<Response>
}

export interface WebhookRouterDeps {
  log: Logger
  /** Bodies above this are refused with 413 before any handler sees them (default 1 MiB). */
  maxBodyBytes?: number
}

async function readCapped(request: Request, max: number): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > max) return undefined
  const body = new Uint8Array(await request.arrayBuffer())
  return body.byteLength > max ? undefined : body
}

export function createWebhookRouter(deps: WebhookRouterDeps): WebhookRouter {
  const log = deps.log.child({ component: 'hooks' })
  const max = deps.maxBodyBytes ?? 1024 * 1024
  const handlers = new Map<string, WebhookHandler>()
  return {
    mount(platform, handler) {
      if (handlers.has(platform)) throw new Error(`a webhook for ${platform} is already mounted`)
      handlers.set(platform, handler)
      return () => {
        if (handlers.get(platform) === handler) handlers.delete(platform)
      }
    },
    mounted: (platform) => handlers.has(platform),
    async handle(platform, request) {
      const handler = handlers.get(platform)
      if (!handler) return Response.json({ error: 'not_found', message: 'no such webhook' }, { status: 404 })
      const body = await readCapped(request, max)
      if (!body) {
        log.warn('webhook body too large; refused', { platform, maxBytes: max })
        return Response.json({ error: 'too_large', message: `body over ${max} bytes` }, { status: 413 })
      }
      let res: Response
      try {
        res = await handler({
          method: request.method,
          url: new URL(request.url),
          headers: request.headers,
          body,
        })
      } catch (error) {
        // A 5xx makes the platform deliver again, which is what a failed hand-over needs.
        log.error('webhook handler failed', { platform, error: errorMessage(error) })
        return Response.json({ error: 'internal', message: 'webhook handler failed' }, { status: 500 })
      }
      if (res.status === 401 || res.status === 403) {
        log.warn('webhook request refused: bad signature or verify token', {
          platform,
          method: request.method,
          status: res.status,
        })
      }
      return res
    },
  }
}
