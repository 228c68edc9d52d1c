import type { Server, ServerWebSocket } from 'bun'
import { guildCreatePayload, message, nextId, user } from './discord-payloads.ts'
import type { FailureKind, Recorder } from './recorder.ts'
import { createRecorder, readBody } from './recorder.ts'

/**
 * A local Discord: REST v10 (`/gateway/bot`, channel messages and typing, DM channels) and a JSON
 * gateway (HELLO → IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME with replay, dispatches).
 * discord.js finds the gateway through `/gateway/bot`, so only its REST base is redirected.
 */

export interface DiscordCall {
  method: string
  path: string
  body: Record<string, unknown>
  status: number
  at: number
}

export interface DiscordUser {
  id: string
  username: string
  global_name?: string | null
  bot?: boolean
}

export interface GatewayFrame {
  op: number
  d?: unknown
  s?: number | null
  t?: string | null
}

export interface DiscordFake {
  apiBase: string
  token: string
  bot: DiscordUser
  guildId: string
  /** A text channel and a thread in the fake guild. */
  channelId: string
  threadId: string
  calls: Recorder<DiscordCall>
  /** Frames the client sent on the gateway (IDENTIFY, RESUME, heartbeats). */
  gateway: Recorder<GatewayFrame>
  /** Dispatches a MESSAGE_CREATE (queued for replay if no session is live); returns the message id. */
  injectMessage(m: {
    channelId: string
    guildId?: string
    author: DiscordUser
    content: string
    mentions?: DiscordUser[]
    replyToBot?: boolean
  }): string
  /** Dispatches a MESSAGE_CREATE with files served from the fake's CDN path; returns the message id. */
  injectFile(m: {
    channelId: string
    author: DiscordUser
    content?: string
    file: { name: string; bytes: Uint8Array; contentType?: string; declaredSize?: number }
  }): string
  /** Files the bot uploaded (multipart `files[n]` with `payload_json`). */
  uploads: Recorder<{ channelId: string; name: string; bytes: Uint8Array; content: string }>
  /** Dispatches the MESSAGE_CREATE of `messageId` again. */
  redeliver(messageId: string): void
  failNext(route: 'messages' | 'typing', failure: FailureKind): void
  /** Cuts the gateway socket without a close frame, as a network drop would. */
  dropConnection(): void
  stop(): Promise<void>
}

export function startDiscordFake(opts: { token?: string } = {}): DiscordFake {
  const token = opts.token ?? 'NDI.fake.discord-token'
  const bot: DiscordUser = { id: nextId(), username: 'ngb-bot', bot: true }
  const guildId = nextId()
  const channelId = nextId()
  const threadId = nextId()
  const calls = createRecorder<DiscordCall>()
  const gateway = createRecorder<GatewayFrame>()
  const failures = new Map<string, FailureKind[]>()
  /** Every dispatch of the session, for RESUME replay. */
  const events: { s: number; t: string; d: unknown }[] = []
  const injected = new Map<string, unknown>()
  let seq = 0
  let sessionId: string | undefined
  let live: ServerWebSocket<undefined> | undefined
  let server: Server<undefined>

  const base = () => `http://127.0.0.1:${server.port}`
  const sendFrame = (ws: ServerWebSocket<undefined>, f: GatewayFrame) => ws.send(JSON.stringify(f))
  function dispatch(t: string, d: unknown) {
    const s = ++seq
    events.push({ s, t, d })
    if (live) sendFrame(live, { op: 0, t, s, d })
  }

  function onFrame(ws: ServerWebSocket<undefined>, f: GatewayFrame) {
    gateway.record(f)
    if (f.op === 1) return sendFrame(ws, { op: 11 })
    const d = (f.d ?? {}) as Record<string, unknown>
    if (f.op === 2) {
      if (d.token !== token) return ws.close(4004, 'Authentication failed.')
      sessionId = nextId()
      events.length = 0
      live = ws
      dispatch('READY', {
        v: 10,
        user: user(bot),
        guilds: [{ id: guildId, unavailable: true }],
        session_id: sessionId,
        resume_gateway_url: `ws://127.0.0.1:${server.port}/gateway`,
        application: { id: bot.id, flags: 0 },
        shard: [0, 1],
      })
      dispatch('GUILD_CREATE', guildCreatePayload({ guildId, channelId, threadId }))
      return
    }
    if (f.op === 6) {
      if (d.session_id !== sessionId || d.token !== token) return sendFrame(ws, { op: 9, d: false })
      live = ws
      const from = typeof d.seq === 'number' ? d.seq : 0
      for (const e of events.filter((x) => x.s > from)) sendFrame(ws, { op: 0, t: e.t, s: e.s, d: e.d })
      dispatch('RESUMED', {})
    }
  }

  function fail(f: FailureKind): Response {
    if (f.kind !== 'rate_limit')
      return Response.json({ message: '502: Bad Gateway', code: 0 }, { status: 502 })
    return Response.json(
      { message: 'You are being rate limited.', retry_after: f.retryAfterSeconds, global: false },
      {
        status: 429,
        headers: {
          'retry-after': String(Math.ceil(f.retryAfterSeconds)),
          'x-ratelimit-scope': 'user',
          'x-ratelimit-bucket': 'msg',
        },
      },
    )
  }

  const cdn = new Map<string, Uint8Array>()
  const uploads = createRecorder<{ channelId: string; name: string; bytes: Uint8Array; content: string }>()

  /** A message with attachments, as discord.js sends it: `payload_json` plus `files[n]` parts. */
  async function upload(req: Request, channelId: string): Promise<Response> {
    const form = await req.formData()
    const payload = JSON.parse(String(form.get('payload_json') ?? '{}')) as { content?: string }
    const files: File[] = []
    for (const key of new Set(form.keys())) {
      const f = form.get(key)
      if (key.startsWith('files[') && f instanceof File) files.push(f)
    }
    if (files.length === 0)
      return Response.json({ message: 'Cannot send an empty message', code: 50006 }, { status: 400 })
    for (const file of files) {
      if (file.size > 10 * 1024 * 1024)
        return Response.json({ message: 'Request entity too large', code: 40005 }, { status: 413 })
      uploads.record({
        channelId,
        name: file.name,
        bytes: new Uint8Array(await file.arrayBuffer()),
        content: payload.content ?? '',
      })
    }
    return Response.json(message(nextId(), { channelId, author: bot, content: payload.content ?? '' }))
  }

  async function rest(req: Request, path: string): Promise<Response> {
    const cdnFile = /^\/attachments\/(.+)$/.exec(path)
    if (cdnFile && req.method === 'GET') {
      const bytes = cdn.get(cdnFile[1] ?? '')
      return bytes ? new Response(new Uint8Array(bytes)) : new Response('Not Found', { status: 404 })
    }
    if (req.headers.get('authorization') !== `Bot ${token}`)
      return Response.json({ message: '401: Unauthorized', code: 0 }, { status: 401 })
    const uploadTo = /^\/channels\/(\d+)\/messages$/.exec(path)
    if (uploadTo && (req.headers.get('content-type') ?? '').includes('multipart/form-data'))
      return upload(req, uploadTo[1] ?? '')
    if (path === '/gateway/bot')
      return Response.json({
        url: `ws://127.0.0.1:${server.port}/gateway`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      })
    if (path === '/users/@me') return Response.json(user(bot))
    const body = await readBody(req)
    if (path === '/users/@me/channels' && req.method === 'POST')
      return Response.json({
        id: `9${String(body.recipient_id)}`,
        type: 1,
        recipients: [user({ id: String(body.recipient_id), username: 'someone' })],
      })
    const route = /^\/channels\/(\d+)\/(messages|typing)$/.exec(path)
    if (!route || req.method !== 'POST')
      return Response.json({ message: '404: Not Found', code: 0 }, { status: 404 })
    const [, target = '', kind = ''] = route
    const forced = failures.get(kind)?.shift()
    if (forced) return fail(forced)
    if (kind === 'typing') return new Response(null, { status: 204 })
    const content = String(body.content ?? '')
    if (content.length === 0 || content.length > 2000)
      return Response.json(
        {
          message: 'Invalid Form Body',
          code: 50035,
          errors: {
            content: {
              _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }],
            },
          },
        },
        { status: 400 },
      )
    const sent = message(nextId(), { channelId: target, author: bot, content })
    return Response.json(sent, {
      headers: {
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '4',
        'x-ratelimit-reset-after': '1',
        'x-ratelimit-bucket': 'msg',
      },
    })
  }

  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 0,
    async fetch(req, srv) {
      const url = new URL(req.url)
      if (url.pathname === '/gateway') {
        if (srv.upgrade(req)) return undefined
        return new Response('upgrade required', { status: 426 })
      }
      const path = url.pathname.replace(/^\/api\/v10/, '')
      const body = req.method === 'POST' ? await req.clone().text() : ''
      const res = await rest(req, path)
      calls.record({
        method: req.method,
        path,
        body: body.startsWith('{') ? (JSON.parse(body) as Record<string, unknown>) : {},
        status: res.status,
        at: Date.now(),
      })
      return res
    },
    websocket: {
      open: (ws) => {
        sendFrame(ws, { op: 10, d: { heartbeat_interval: 41_250 } })
      },
      message: (ws, raw) => {
        onFrame(ws, JSON.parse(String(raw)) as GatewayFrame)
      },
      close: (ws) => {
        if (live === ws) live = undefined
      },
    },
  })

  return {
    get apiBase() {
      return `${base()}/api`
    },
    token,
    bot,
    guildId,
    channelId,
    threadId,
    calls,
    gateway,
    uploads,
    injectFile(m) {
      const id = nextId()
      const key = `${m.channelId}/${id}/${encodeURIComponent(m.file.name)}`
      cdn.set(key, m.file.bytes)
      const d = message(
        id,
        { channelId: m.channelId, author: m.author, content: m.content ?? '' },
        {
          attachments: [
            {
              id: nextId(),
              filename: m.file.name,
              size: m.file.declaredSize ?? m.file.bytes.length,
              url: `${base()}/attachments/${key}`,
              proxy_url: `${base()}/attachments/${key}`,
              content_type: m.file.contentType,
            },
          ],
        },
      )
      injected.set(id, d)
      dispatch('MESSAGE_CREATE', d)
      return id
    },
    injectMessage(m) {
      const id = nextId()
      const d = message(
        id,
        m,
        m.replyToBot
          ? {
              type: 19,
              message_reference: { message_id: '1' },
              referenced_message: message('1', { channelId: m.channelId, author: bot, content: 'earlier' }),
            }
          : {},
      )
      injected.set(id, d)
      dispatch('MESSAGE_CREATE', d)
      return id
    },
    redeliver(messageId) {
      const d = injected.get(messageId)
      if (!d) throw new Error(`no message ${messageId} was injected`)
      dispatch('MESSAGE_CREATE', d)
    },
    failNext(route, failure) {
      failures.set(route, [...(failures.get(route) ?? []), failure])
    },
    dropConnection() {
      const ws = live
      live = undefined
      ws?.terminate()
    },
    async stop() {
      await server.stop(true)
    },
  }
}
