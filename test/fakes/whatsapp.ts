import type { Server } from 'bun'
import { hmacSha256Hex } from '../../src/util/hmac.ts'
import type { FailureKind, Recorder } from './recorder.ts'
import { createRecorder, readBody } from './recorder.ts'

/**
 * A local WhatsApp Cloud API: the Graph endpoints ngb calls (`GET /<v>/<phone id>` and
 * `POST /<v>/<phone id>/messages`, Bearer token) and Meta's side of the webhook: it signs payloads
 * with the app secret (X-Hub-Signature-256) and POSTs them to ngb's `/hooks/whatsapp`, retrying a
 * delivery that failed, as Meta does. Sends outside a closed 24-hour window get code 131047.
 */

export interface GraphCall {
  method: string
  path: string
  token: string
  body: Record<string, unknown>
  status: number
  at: number
}

export interface WebhookDelivery {
  messageId: string
  status: number
  at: number
}

export interface WhatsAppFake {
  apiBase: string
  apiVersion: string
  accessToken: string
  phoneNumberId: string
  /** The business number, digits only: `@<it>` addresses the bot in a group. */
  displayPhone: string
  appSecret: string
  verifyToken: string
  calls: Recorder<GraphCall>
  deliveries: Recorder<WebhookDelivery>
  /** Where deliveries go: ngb's `/hooks/whatsapp` (known once the server listens). */
  setWebhookUrl(url: string): void
  /** Posts a signed message webhook (deliveries stay in order); returns the wamid. */
  injectMessage(m: { from: string; name?: string; text: string; groupId?: string; replyTo?: string }): string
  /** Posts the webhook that carried `messageId` again, as Meta does after a missed 200. */
  redeliver(messageId: string): Promise<void>
  /** Posts `body` with a signature made with `secret` (the app secret unless given); returns the status. */
  postRaw(body: string, opts?: { secret?: string; signature?: string }): Promise<number>
  failNext(failure: FailureKind): void
  /** The next delivery attempt fails as if ngb were unreachable; Meta's retry then gets through. */
  failNextDelivery(): void
  /** Ends the 24-hour customer-service window of `waId`: free-form sends get 131047 until they write. */
  closeWindow(waId: string): void
  stop(): Promise<void>
}

let counter = 0

export function startWhatsAppFake(): WhatsAppFake {
  const apiVersion = 'v21.0'
  const accessToken = 'EAAG-fake-whatsapp-token'
  const phoneNumberId = '109876543210'
  const displayPhone = '15550001111'
  const appSecret = 'fake-app-secret'
  const verifyToken = 'fake-verify-token'
  const calls = createRecorder<GraphCall>()
  const deliveries = createRecorder<WebhookDelivery>()
  const failures: FailureKind[] = []
  const payloads = new Map<string, string>()
  const closed = new Set<string>()
  let webhookUrl = ''
  let failDelivery = 0
  let chain: Promise<void> = Promise.resolve()
  let server: Server<undefined>

  const graphError = (status: number, code: number, message: string) =>
    Response.json(
      {
        error: {
          message,
          type: 'OAuthException',
          code,
          error_data: { details: message },
          fbtrace_id: 'Afake',
        },
      },
      { status },
    )

  function route(method: string, path: string, token: string, body: Record<string, unknown>): Response {
    const parts = path.split('/').filter(Boolean)
    if (parts[0] !== apiVersion || parts[1] !== phoneNumberId)
      return graphError(404, 100, 'Unsupported request')
    if (token !== accessToken) return graphError(401, 190, 'Invalid OAuth access token')
    if (method === 'GET' && parts.length === 2)
      return Response.json({
        display_phone_number: '+1 555-000-1111',
        verified_name: 'ngb test',
        id: phoneNumberId,
      })
    if (method !== 'POST' || parts[2] !== 'messages') return graphError(400, 100, 'Unsupported request')
    if (body.messaging_product !== 'whatsapp') return graphError(400, 100, 'messaging_product is required')
    if (body.status === 'read') return Response.json({ success: true })
    const forced = failures.shift()
    if (forced?.kind === 'rate_limit') return graphError(429, 130429, 'Rate limit hit')
    if (forced) return graphError(500, 2, 'Service temporarily unavailable')
    const text = (body.text as { body?: unknown } | undefined)?.body
    if (typeof text !== 'string' || text === '') return graphError(400, 100, 'text.body is required')
    if (text.length > 4096) return graphError(400, 100, 'text.body is too long')
    if (typeof body.to !== 'string') return graphError(400, 100, 'to is required')
    if (closed.has(body.to)) return graphError(400, 131047, 'Re-engagement message')
    return Response.json({
      messaging_product: 'whatsapp',
      contacts: [{ input: body.to, wa_id: body.to }],
      messages: [{ id: `wamid.out${++counter}` }],
    })
  }

  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const url = new URL(req.url)
      const token = (req.headers.get('authorization') ?? '').replace(/^Bearer /, '')
      const body = req.method === 'GET' ? {} : await readBody(req)
      const res = route(req.method, url.pathname, token, body)
      calls.record({
        method: req.method,
        path: url.pathname,
        token,
        body,
        status: res.status,
        at: Date.now(),
      })
      return res
    },
  })

  async function post(raw: string, signature: string, target = webhookUrl): Promise<number> {
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      body: raw,
    })
    await res.arrayBuffer()
    return res.status
  }

  /** Meta retries a failed delivery; here quickly, a few times, in order with later ones. */
  function deliver(messageId: string, raw: string) {
    chain = chain.then(async () => {
      for (let attempt = 0; attempt < 20; attempt++) {
        let status = 0
        if (failDelivery > 0) {
          failDelivery--
          // Port 9 (discard) on loopback is closed: the connection is refused, as for a down server.
          status = await post(raw, `sha256=${hmacSha256Hex(appSecret, raw)}`, 'http://127.0.0.1:9/').catch(
            () => 0,
          )
        } else {
          status = await post(raw, `sha256=${hmacSha256Hex(appSecret, raw)}`).catch(() => 0)
        }
        deliveries.record({ messageId, status, at: Date.now() })
        if (status === 200) return
        await Bun.sleep(50 * (attempt + 1))
      }
    })
  }

  return {
    apiBase: `http://127.0.0.1:${server.port}`,
    apiVersion,
    accessToken,
    phoneNumberId,
    displayPhone,
    appSecret,
    verifyToken,
    calls,
    deliveries,
    setWebhookUrl(url) {
      webhookUrl = url
    },
    injectMessage(m) {
      if (!webhookUrl) throw new Error('no webhook URL set on the WhatsApp fake')
      const id = `wamid.in${++counter}${Date.now()}`
      closed.delete(m.from)
      const raw = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: 'WABA0001',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: displayPhone, phone_number_id: phoneNumberId },
                  contacts: [{ profile: { name: m.name ?? `User ${m.from.slice(-4)}` }, wa_id: m.from }],
                  messages: [
                    {
                      from: m.from,
                      id,
                      timestamp: String(Math.floor(Date.now() / 1000)),
                      type: 'text',
                      text: { body: m.text },
                      ...(m.groupId ? { group_id: m.groupId } : {}),
                      ...(m.replyTo ? { context: { from: displayPhone, id: m.replyTo } } : {}),
                    },
                  ],
                },
              },
            ],
          },
        ],
      })
      payloads.set(id, raw)
      deliver(id, raw)
      return id
    },
    async redeliver(messageId) {
      const raw = payloads.get(messageId)
      if (!raw) throw new Error(`no webhook carried ${messageId}`)
      deliver(messageId, raw)
      await chain
    },
    async postRaw(body, opts = {}) {
      return post(body, opts.signature ?? `sha256=${hmacSha256Hex(opts.secret ?? appSecret, body)}`)
    },
    failNext(failure) {
      failures.push(failure)
    },
    failNextDelivery() {
      failDelivery++
    },
    closeWindow(waId) {
      closed.add(waId)
    },
    async stop() {
      await chain.catch(() => undefined)
      await server.stop(true)
    },
  }
}
