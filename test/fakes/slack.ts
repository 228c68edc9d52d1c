import type { Server, ServerWebSocket } from 'bun'
import type { FailureKind, Recorder } from './recorder.ts'
import { createRecorder, readBody } from './recorder.ts'

/**
 * A local Slack: Web API methods under `/api/` (form or JSON bodies, Bearer tokens) and Socket
 * Mode (`apps.connections.open` → WebSocket with `hello`, `events_api` / `slash_commands`
 * envelopes, acks, `disconnect`). Envelopes injected while no socket is open wait for the next one.
 */

export interface SlackCall {
  method: string
  token: string
  body: Record<string, unknown>
  status: number
  at: number
}

export interface SlackEnvelope {
  envelope_id: string
  type: 'events_api' | 'slash_commands'
  accepts_response_payload: boolean
  retry_attempt?: number
  retry_reason?: string
  payload: Record<string, unknown>
}

export interface SlackFake {
  apiUrl: string
  botToken: string
  appToken: string
  botUserId: string
  calls: Recorder<SlackCall>
  /** Acks the client sent back over the socket. */
  acks: Recorder<{ envelope_id: string }>
  /** Sends a `message` event (and `app_mention` first when `mention`); returns its ts. */
  injectMessage(m: {
    channel: string
    user: string
    text: string
    channelType: 'im' | 'channel'
    threadTs?: string
    mention?: boolean
  }): string
  /** A `file_share` message; the file is served at its url_private_download (bot token required). */
  injectFile(m: {
    channel: string
    user: string
    text?: string
    channelType: 'im' | 'channel'
    file: { name: string; bytes: Uint8Array; mimetype: string; declaredSize?: number; subtype?: string }
  }): string
  /** Files shared through the external upload flow (getUploadURLExternal → POST → completeUploadExternal). */
  uploads: Recorder<{ channel: string; name: string; bytes: Uint8Array; comment?: string }>
  /** File downloads and whether they carried the bot token. */
  downloads: Recorder<{ id: string; authorized: boolean }>
  injectSlashCommand(c: { command: string; text?: string; channel: string; user: string }): string
  /** Redelivers every envelope that carried `ts`, as Slack does after a missed ack (retry_attempt 1). */
  redeliver(ts: string): void
  failNext(method: string, failure: FailureKind): void
  /** Cuts the socket without a close frame. */
  dropConnection(): void
  /** Asks the client to reconnect, the way Slack recycles connections. */
  sendDisconnect(reason?: string): void
  stop(): Promise<void>
}

let counter = 0
const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++counter).padStart(6, '0')}`

export function startSlackFake(): SlackFake {
  const botToken = 'xoxb-fake-bot-token'
  const appToken = 'xapp-fake-app-token'
  const botUserId = 'UBOT0001'
  const calls = createRecorder<SlackCall>()
  const acks = createRecorder<{ envelope_id: string }>()
  const failures = new Map<string, FailureKind[]>()
  const sent: SlackEnvelope[] = []
  const pending: SlackEnvelope[] = []
  const sockets = new Set<ServerWebSocket<undefined>>()
  let server: Server<undefined>

  function deliver(env: SlackEnvelope) {
    const ws = [...sockets][0]
    if (!ws) {
      pending.push(env)
      return
    }
    sent.push(env)
    ws.send(JSON.stringify(env))
  }

  function eventEnvelope(event: Record<string, unknown>): SlackEnvelope {
    return {
      envelope_id: crypto.randomUUID(),
      type: 'events_api',
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: '',
      payload: {
        type: 'event_callback',
        team_id: 'T0001',
        api_app_id: 'A0001',
        event_id: `Ev${++counter}`,
        event_time: Math.floor(Date.now() / 1000),
        event,
      },
    }
  }

  const ok = (body: Record<string, unknown>) => Response.json({ ok: true, ...body })
  const hosted = new Map<string, Uint8Array>()
  const pendingUploads = new Map<string, { name: string; length: number; bytes?: Uint8Array }>()
  const uploads = createRecorder<{ channel: string; name: string; bytes: Uint8Array; comment?: string }>()
  const downloads = createRecorder<{ id: string; authorized: boolean }>()

  function completeUpload(body: Record<string, unknown>): Response {
    const files = JSON.parse(String(body.files ?? '[]')) as { id: string; title?: string }[]
    for (const f of files) {
      const up = pendingUploads.get(f.id)
      if (!up?.bytes) return Response.json({ ok: false, error: 'file_not_found' })
      if (up.bytes.length !== up.length) return Response.json({ ok: false, error: 'file_size_mismatch' })
      uploads.record({
        channel: String(body.channel_id ?? ''),
        name: up.name,
        bytes: up.bytes,
        comment: typeof body.initial_comment === 'string' ? body.initial_comment : undefined,
      })
    }
    return ok({ files: files.map((f) => ({ id: f.id, title: f.title })) })
  }

  function method(name: string, token: string, body: Record<string, unknown>): Response {
    if (name === 'apps.connections.open') {
      if (token !== appToken) return Response.json({ ok: false, error: 'invalid_auth' })
      return ok({ url: `ws://127.0.0.1:${server.port}/link/?ticket=${crypto.randomUUID()}&app_id=A0001` })
    }
    if (token !== botToken) return Response.json({ ok: false, error: token ? 'invalid_auth' : 'not_authed' })
    const forced = failures.get(name)?.shift()
    if (forced?.kind === 'rate_limit')
      return Response.json(
        { ok: false, error: 'ratelimited' },
        { status: 429, headers: { 'retry-after': String(forced.retryAfterSeconds) } },
      )
    if (forced) return new Response('upstream error', { status: 503 })
    switch (name) {
      case 'auth.test':
        return ok({
          url: 'https://fake.slack.com/',
          team: 'fake',
          user: 'ngb',
          team_id: 'T0001',
          user_id: botUserId,
          bot_id: 'B0001',
        })
      case 'users.info': {
        const id = String(body.user)
        return ok({
          user: {
            id,
            name: id.toLowerCase(),
            real_name: `Real ${id}`,
            profile: { display_name: `user-${id}`, real_name: `Real ${id}` },
          },
        })
      }
      case 'files.getUploadURLExternal': {
        const id = `F${String(++counter).padStart(8, '0')}`
        pendingUploads.set(id, { name: String(body.filename ?? ''), length: Number(body.length) })
        return ok({ upload_url: `http://127.0.0.1:${server.port}/upload/${id}`, file_id: id })
      }
      case 'files.completeUploadExternal':
        return completeUpload(body)
      case 'chat.postMessage': {
        const text = String(body.text ?? '')
        if (!body.channel) return Response.json({ ok: false, error: 'channel_not_found' })
        if (!text) return Response.json({ ok: false, error: 'no_text' })
        if (text.length > 40_000) return Response.json({ ok: false, error: 'msg_too_long' })
        const ts = nextTs()
        return ok({
          channel: body.channel,
          ts,
          message: { type: 'message', text, user: botUserId, ts, thread_ts: body.thread_ts },
        })
      }
      default:
        return Response.json({ ok: false, error: 'unknown_method' })
    }
  }

  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 0,
    async fetch(req, srv) {
      const url = new URL(req.url)
      if (url.pathname === '/link/') {
        if (srv.upgrade(req)) return undefined
        return new Response('upgrade required', { status: 426 })
      }
      const upload = /^\/upload\/(\w+)$/.exec(url.pathname)
      if (upload && req.method === 'POST') {
        const pending = pendingUploads.get(upload[1] ?? '')
        if (!pending) return new Response('not found', { status: 404 })
        pending.bytes = new Uint8Array(await req.arrayBuffer())
        return new Response(`OK - ${pending.bytes.length}`)
      }
      const hostedFile = /^\/files-pri\/(\w+)\//.exec(url.pathname)
      if (hostedFile) {
        const id = hostedFile[1] ?? ''
        const authorized = req.headers.get('authorization') === `Bearer ${botToken}`
        downloads.record({ id, authorized })
        // Like Slack: without the token you get a login page, not the file.
        if (!authorized)
          return new Response('<html>login</html>', { headers: { 'content-type': 'text/html' } })
        const bytes = hosted.get(id)
        return bytes ? new Response(new Uint8Array(bytes)) : new Response('not found', { status: 404 })
      }
      const name = url.pathname.replace(/^\/api\//, '')
      const token = (req.headers.get('authorization') ?? '').replace(/^Bearer /, '')
      const body = await readBody(req)
      const res = method(name, token, body)
      calls.record({ method: name, token, body, status: res.status, at: Date.now() })
      return res
    },
    websocket: {
      open(ws) {
        sockets.add(ws)
        ws.send(
          JSON.stringify({
            type: 'hello',
            num_connections: sockets.size,
            debug_info: { host: 'fake', approximate_connection_time: 18060 },
            connection_info: { app_id: 'A0001' },
          }),
        )
        for (const env of pending.splice(0)) deliver(env)
      },
      message(_ws, raw) {
        const m = JSON.parse(String(raw)) as { envelope_id?: string }
        if (m.envelope_id) acks.record({ envelope_id: m.envelope_id })
      },
      close(ws) {
        sockets.delete(ws)
      },
    },
  })

  return {
    apiUrl: `http://127.0.0.1:${server.port}/api/`,
    botToken,
    appToken,
    botUserId,
    calls,
    acks,
    uploads,
    downloads,
    injectFile(m) {
      const ts = nextTs()
      const id = `F${String(++counter).padStart(8, '0')}`
      hosted.set(id, m.file.bytes)
      const url = `http://127.0.0.1:${server.port}/files-pri/${id}/${encodeURIComponent(m.file.name)}`
      deliver(
        eventEnvelope({
          type: 'message',
          subtype: 'file_share',
          channel_type: m.channelType,
          user: m.user,
          text: m.text ?? '',
          ts,
          channel: m.channel,
          event_ts: ts,
          files: [
            {
              id,
              name: m.file.name,
              mimetype: m.file.mimetype,
              size: m.file.declaredSize ?? m.file.bytes.length,
              ...(m.file.subtype ? { subtype: m.file.subtype } : {}),
              url_private: url,
              url_private_download: `${url}?download=1`,
            },
          ],
        }),
      )
      return ts
    },
    injectMessage(m) {
      const ts = nextTs()
      const text = m.mention ? `<@${botUserId}> ${m.text}` : m.text
      const base = {
        user: m.user,
        text,
        ts,
        channel: m.channel,
        event_ts: ts,
        ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
      }
      // Slack sends both for a channel message that mentions the app; the adapter must answer once.
      if (m.mention && m.channelType !== 'im') deliver(eventEnvelope({ type: 'app_mention', ...base }))
      deliver(eventEnvelope({ type: 'message', channel_type: m.channelType, ...base }))
      return ts
    },
    injectSlashCommand(c) {
      const trigger = `trig.${++counter}`
      deliver({
        envelope_id: crypto.randomUUID(),
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: {
          command: c.command,
          text: c.text ?? '',
          channel_id: c.channel,
          user_id: c.user,
          user_name: c.user.toLowerCase(),
          trigger_id: trigger,
          team_id: 'T0001',
        },
      })
      return trigger
    },
    redeliver(ts) {
      const originals = sent.filter((e) => (e.payload.event as { ts?: string } | undefined)?.ts === ts)
      if (!originals.length) throw new Error(`no envelope carried ts ${ts}`)
      for (const e of originals)
        deliver({ ...e, envelope_id: crypto.randomUUID(), retry_attempt: 1, retry_reason: 'timeout' })
    },
    failNext(name, failure) {
      failures.set(name, [...(failures.get(name) ?? []), failure])
    },
    dropConnection() {
      for (const ws of sockets) ws.terminate()
      sockets.clear()
    },
    sendDisconnect(reason = 'refresh_requested') {
      for (const ws of sockets)
        ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake' } }))
    },
    async stop() {
      await server.stop(true)
    },
  }
}
