import type { Server, ServerWebSocket } from 'bun'
import protobuf from 'protobufjs'
import { createFeishuEventPoster } from './feishu-events.ts'
import type { FailureKind, Recorder } from './recorder.ts'
import { createRecorder } from './recorder.ts'

/**
 * A local Feishu/Lark open platform: tenant token, bot info, message create/reply, reactions, and the
 * long connection (endpoint discovery, then binary `pbbp2.Frame` protobuf frames: data frames for
 * events, ping/pong control frames, the client's `{"code":200}` acks). Events injected while no
 * socket is open wait for the next one. Tokens can be expired on demand.
 */

const { root } = protobuf.parse(`syntax = "proto2"; package pbbp2;
message Header { required string key = 1; required string value = 2; }
message Frame { required uint64 SeqID = 1; required uint64 LogID = 2; required int32 service = 3;
  required int32 method = 4; repeated Header headers = 5; optional string payload_encoding = 6;
  optional string payload_type = 7; optional bytes payload = 8; optional string LogIDNew = 9; }`)
const Frame = root.lookupType('pbbp2.Frame')
const SERVICE_ID = 7

interface WireFrame {
  method: number
  headers: { key: string; value: string }[]
  payload?: Uint8Array
}

const encode = (f: WireFrame & { SeqID?: number }) =>
  Frame.encode(Frame.create({ SeqID: f.SeqID ?? 0, LogID: 0, service: SERVICE_ID, ...f })).finish()

export interface FeishuCall {
  method: string
  path: string
  query: Record<string, string>
  token: string
  body: Record<string, unknown>
  status: number
  code: number
  at: number
}

export interface FeishuFake {
  domain: string
  appId: string
  appSecret: string
  botOpenId: string
  calls: Recorder<FeishuCall>
  /** Acks the client sent back for data frames (their payload's code). */
  acks: Recorder<{ messageId: string; code: number }>
  tokensIssued: () => number
  /** Gives a user a name the contact API returns (others are refused, as without the permission). */
  setUserName(openId: string, name: string): void
  /** The chat an injected message was posted in. */
  chatOf(messageId: string): string | undefined
  injectMessage(m: {
    chatId: string
    chatType: 'p2p' | 'group'
    openId: string
    text: string
    mention?: boolean
    rootId?: string
  }): string
  /** Pushes the event of `messageId` again, as Feishu does when an ack is late. */
  redeliver(messageId: string): void
  failNext(failure: FailureKind): void
  /** Invalidates every issued tenant token (Feishu then answers 99991663). */
  expireTokens(): void
  dropConnection(): void
  /** Webhook mode: events are encrypted, signed and POSTed here instead of pushed over the socket. */
  setWebhookUrl(url: string): void
  encryptKey: string
  verificationToken: string
  /** Webhook mode: the next delivery meets a closed port; Feishu's retry then reaches ngb. */
  failNextDelivery(): void
  deliveries: Recorder<{ messageId: string; status: number }>
  /** Posts an event body as Feishu would; `signWith` forges the signature, `unsigned` drops it. */
  postEvent(
    inner: Record<string, unknown>,
    opts?: { signWith?: string; unsigned?: boolean },
  ): Promise<Response>
  stop(): Promise<void>
}

let counter = 0

export function startFeishuFake(): FeishuFake {
  const appId = 'cli_a1b2c3d4e5f60718'
  const appSecret = 'fake-feishu-secret'
  const botOpenId = 'ou_bot0000000000000000000001'
  const calls = createRecorder<FeishuCall>()
  const acks = createRecorder<{ messageId: string; code: number }>()
  const failures: FailureKind[] = []
  const validTokens = new Set<string>()
  const userNames = new Map<string, string>()
  const events = new Map<string, Record<string, unknown>>()
  const pending: Uint8Array[] = []
  const sockets = new Set<ServerWebSocket<undefined>>()
  let issued = 0
  let server: Server<undefined>
  const poster = createFeishuEventPoster()
  const json = (body: Record<string, unknown>, status = 200, headers: Record<string, string> = {}) =>
    Response.json(body, { status, headers })

  function pushEvent(event: Record<string, unknown>) {
    const message = (event.event as { message: { message_id: string } }).message
    if (poster.active()) return poster.deliver(event, message.message_id)
    const frame = encode({
      SeqID: ++counter,
      method: 1,
      headers: [
        { key: 'type', value: 'event' },
        { key: 'message_id', value: `frame_${message.message_id}_${counter}` },
        { key: 'sum', value: '1' },
        { key: 'seq', value: '0' },
        { key: 'trace_id', value: `trace_${counter}` },
      ],
      payload: new TextEncoder().encode(JSON.stringify(event)),
    })
    const ws = [...sockets][0]
    if (ws) ws.send(frame)
    else pending.push(frame)
  }

  function api(req: Request, url: URL, token: string, body: Record<string, unknown>): Response {
    const path = url.pathname
    if (path === '/open-apis/auth/v3/tenant_access_token/internal') {
      if (body.app_id !== appId || body.app_secret !== appSecret)
        return json({ code: 10014, msg: 'app secret invalid' }, 400)
      const t = `t-fake-${++issued}`
      validTokens.add(t)
      return json({ code: 0, msg: 'ok', tenant_access_token: t, expire: 7200 })
    }
    if (!validTokens.has(token))
      return json({ code: 99991663, msg: 'Invalid access token for authorization' }, 400)
    const contact = /^\/open-apis\/contact\/v3\/users\/([^/]+)$/.exec(path)?.[1]
    if (contact) {
      // Names only for users the app may see; others answer as without the contact permission.
      const name = userNames.get(decodeURIComponent(contact))
      return name
        ? json({ code: 0, msg: 'success', data: { user: { open_id: contact, name } } })
        : json({ code: 41050, msg: 'no user authority error' }, 400)
    }
    if (path === '/open-apis/bot/v3/info')
      return json({ code: 0, msg: 'ok', bot: { open_id: botOpenId, app_name: 'NgbBot', activate_status: 2 } })
    const isSend = req.method === 'POST' && /^\/open-apis\/im\/v1\/messages(\/[^/]+\/reply)?$/.test(path)
    if (isSend) {
      const forced = failures.shift()
      if (forced?.kind === 'rate_limit')
        return json({ code: 99991400, msg: 'request trigger frequency limit' }, 429, {
          'x-ogw-ratelimit-reset': String(forced.retryAfterSeconds),
        })
      if (forced) return json({ code: 1500, msg: 'internal error' }, 503)
      const content = String(body.content ?? '')
      if (new TextEncoder().encode(content).length > 30 * 1024)
        return json({ code: 230025, msg: 'message content too long' }, 400)
      return json({
        code: 0,
        msg: 'success',
        data: { message_id: `om_sent${++counter}`, msg_type: body.msg_type },
      })
    }
    if (req.method === 'POST' && /\/reactions$/.test(path))
      return json({ code: 0, msg: 'success', data: { reaction_id: `r_${++counter}` } })
    if (req.method === 'DELETE' && /\/reactions\/[^/]+$/.test(path))
      return json({ code: 0, msg: 'success', data: {} })
    return json({ code: 404, msg: 'not found' }, 404)
  }

  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 0,
    async fetch(req, srv) {
      const url = new URL(req.url)
      if (url.pathname === '/ws') {
        if (srv.upgrade(req)) return undefined
        return new Response('upgrade required', { status: 426 })
      }
      const text = req.method === 'GET' || req.method === 'DELETE' ? '' : await req.text()
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {}
      if (url.pathname === '/callback/ws/endpoint') {
        if (body.AppID !== appId || body.AppSecret !== appSecret)
          return json({ code: 1000040345, msg: 'app id or secret invalid' })
        // The SDK qs-parses the whole URL, so service_id must not be the first query key.
        return json({
          code: 0,
          msg: 'ok',
          data: {
            URL: `ws://127.0.0.1:${server.port}/ws?fpid=1&device_id=dev1&service_id=${SERVICE_ID}&ticket=tk${++counter}`,
            ClientConfig: {
              PingInterval: 120,
              ReconnectCount: -1,
              ReconnectInterval: 0.2,
              ReconnectNonce: 0,
            },
          },
        })
      }
      const token = (req.headers.get('authorization') ?? '').replace(/^Bearer /, '')
      const res = api(req, url, token, body)
      const code = ((await res.clone().json()) as { code: number }).code
      calls.record({
        method: req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        token,
        body,
        status: res.status,
        code,
        at: Date.now(),
      })
      return res
    },
    websocket: {
      open(ws) {
        sockets.add(ws)
        for (const f of pending.splice(0)) ws.send(f)
      },
      message(ws, raw) {
        if (typeof raw === 'string') return
        const f = Frame.toObject(Frame.decode(new Uint8Array(raw)), { longs: Number }) as WireFrame
        const h = Object.fromEntries(f.headers.map((x) => [x.key, x.value]))
        if (h.type === 'ping') {
          ws.send(
            encode({
              method: 0,
              headers: [{ key: 'type', value: 'pong' }],
              payload: new TextEncoder().encode(
                JSON.stringify({
                  PingInterval: 120,
                  ReconnectCount: -1,
                  ReconnectInterval: 0.2,
                  ReconnectNonce: 0,
                }),
              ),
            }),
          )
          return
        }
        if (f.method === 1 && f.payload) {
          const { code } = JSON.parse(new TextDecoder().decode(f.payload)) as { code: number }
          acks.record({ messageId: h.message_id ?? '', code })
        }
      },
      close(ws) {
        sockets.delete(ws)
      },
    },
  })

  return {
    domain: `http://127.0.0.1:${server.port}`,
    appId,
    appSecret,
    botOpenId,
    calls,
    acks,
    tokensIssued: () => issued,
    setUserName(openId, name) {
      userNames.set(openId, name)
    },
    chatOf: (messageId) =>
      (events.get(messageId)?.event as { message: { chat_id: string } } | undefined)?.message.chat_id,
    injectMessage(m) {
      const messageId = `om_${Date.now().toString(16)}${++counter}`
      const mention = m.mention
        ? [{ key: '@_user_1', id: { open_id: botOpenId, user_id: '', union_id: 'on_bot1' }, name: 'NgbBot' }]
        : undefined
      const event = {
        schema: '2.0',
        header: {
          event_id: `ev_${messageId}`,
          event_type: 'im.message.receive_v1',
          create_time: String(Date.now()),
          token: '',
          app_id: appId,
          tenant_key: 'tk_fake',
        },
        event: {
          sender: {
            sender_id: { open_id: m.openId, user_id: 'u1', union_id: 'on_u1' },
            sender_type: 'user',
            tenant_key: 'tk_fake',
          },
          message: {
            message_id: messageId,
            ...(m.rootId ? { root_id: m.rootId, parent_id: m.rootId, thread_id: `omt_${m.rootId}` } : {}),
            create_time: String(Date.now()),
            chat_id: m.chatId,
            chat_type: m.chatType,
            message_type: 'text',
            content: JSON.stringify({ text: m.mention ? `@_user_1 ${m.text}` : m.text }),
            ...(mention ? { mentions: mention } : {}),
          },
        },
      }
      events.set(messageId, event)
      pushEvent(event)
      return messageId
    },
    redeliver(messageId) {
      const event = events.get(messageId)
      if (!event) throw new Error(`no event carried ${messageId}`)
      pushEvent(event)
    },
    failNext(failure) {
      failures.push(failure)
    },
    expireTokens() {
      validTokens.clear()
    },
    dropConnection() {
      for (const ws of sockets) ws.terminate()
      sockets.clear()
    },
    setWebhookUrl: poster.setUrl,
    encryptKey: poster.encryptKey,
    verificationToken: poster.verificationToken,
    failNextDelivery: poster.failNextDelivery,
    deliveries: poster.deliveries,
    postEvent: (inner, opts) => poster.post(inner, opts),
    async stop() {
      await poster.idle()
      await server.stop(true)
    },
  }
}
