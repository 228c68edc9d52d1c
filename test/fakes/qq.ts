import type { Server, ServerWebSocket } from 'bun'
import type { ChatCall, FailureKind, Recorder } from './recorder.ts'
import { createRecorder, readBody } from './recorder.ts'

/**
 * A local QQ bot platform: the token endpoint (`expires_in` as a string), `GET /gateway`, the
 * gateway WebSocket (Hello, Identify → READY, heartbeat ACKs, Resume replaying missed events →
 * RESUMED, op 7 / op 9 on demand) and the v2 C2C/group send routes, which enforce passive replies
 * the way QQ does: a known recent msg_id, a fresh msg_seq per reply, at most 5 replies per msg_id.
 * Error codes other than 22009/100001 are this fake's own; the adapter treats them as refusals.
 */

/** `jid` is `qq:user:<openid>` / `qq:group:<openid>` for sends; `code` is QQ's error code, if any. */
export interface QqCall extends ChatCall {
  code?: number
}

export interface QqFake {
  apiBase: string
  tokenUrl: string
  appId: string
  appSecret: string
  calls: Recorder<QqCall>
  /** Gateway ops the client sent (2 identify, 6 resume, 1 heartbeat). */
  ops: Recorder<{ op: number; d: unknown; at: number }>
  injectC2c(m: { openid: string; text: string }): string
  injectGroupAt(m: { groupOpenid: string; memberOpenid: string; text: string }): string
  redeliver(id: string): void
  failNext(failure: FailureKind): void
  /** Tokens issued so far stop working (401), as after their expiry. */
  expireTokens(): void
  /** The reply window of msg ids from now on (ms); QQ's is 60 min for C2C, 5 min for groups. */
  setWindowMs(ms: number): void
  dropConnection(): void
  sendReconnect(): void
  sendInvalidSession(): void
  /** Heartbeats go unanswered from now on (a half-open link); `resumeAcking` ends that. */
  stopAcking(): void
  resumeAcking(): void
  stop(): Promise<void>
}

let counter = 0

export function startQqFake(opts: { heartbeatMs?: number } = {}): QqFake {
  const appId = '102000001'
  const appSecret = 'fake-qq-bot-secret'
  const calls = createRecorder<QqCall>()
  const ops = createRecorder<{ op: number; d: unknown; at: number }>()
  const failures: FailureKind[] = []
  const tokens = new Set<string>()
  /** Every dispatched event with its sequence number, for resume replays. */
  const events: Array<{ s: number; t: string; d: Record<string, unknown> }> = []
  /** msg id → chat and arrival; replies counted per msg id. */
  const messages = new Map<string, { jid: string; at: number; replies: number; seqs: Set<number> }>()
  const sockets = new Set<ServerWebSocket<{ session?: string }>>()
  const sessions = new Map<string, number>()
  let seq = 0
  let windowMs = 5 * 60_000
  let acking = true
  let server: Server<{ session?: string }>

  const send = (ws: ServerWebSocket<{ session?: string }>, p: Record<string, unknown>) =>
    ws.send(JSON.stringify(p))
  const live = () => [...sockets].find((ws) => ws.data.session !== undefined)

  function dispatch(t: string, d: Record<string, unknown>) {
    const s = ++seq
    events.push({ s, t, d })
    const ws = live()
    if (ws) {
      send(ws, { op: 0, s, t, d, id: `${t}:${d.id}` })
      if (ws.data.session) sessions.set(ws.data.session, s)
    }
  }

  function sendRoute(path: string, token: string, body: Record<string, unknown>) {
    const m = /^\/v2\/(users|groups)\/([^/]+)\/messages$/.exec(path)
    if (!m) return { res: new Response('not found', { status: 404 }), jid: '' }
    const jid = `qq:${m[1] === 'users' ? 'user' : 'group'}:${m[2]}`
    const refuse = (status: number, code: number, message: string) => ({
      jid,
      code,
      res: Response.json({ code, message, err_code: code, trace_id: 'fake' }, { status }),
    })
    if (!tokens.has(token)) return refuse(401, 11244, 'token not exist or expire')
    const f = failures.shift()
    if (f?.kind === 'rate_limit') return refuse(200, 100001, 'frequency limit')
    if (f) return refuse(500, 500000, 'internal error')
    const content = body.content
    if (typeof content !== 'string' || content === '') return refuse(400, 40034001, 'content is empty')
    const ref = messages.get(String(body.msg_id ?? ''))
    if (!ref || ref.jid !== jid) return refuse(400, 40034002, 'proactive messages are not allowed')
    if (Date.now() - ref.at > windowMs) return refuse(400, 40034003, 'reply window of msg_id expired')
    if (ref.replies >= 5) return refuse(400, 22009, 'msg limit exceed')
    const msgSeq = Number(body.msg_seq ?? 1)
    if (ref.seqs.has(msgSeq)) return refuse(400, 40054005, 'duplicate msg_seq')
    ref.seqs.add(msgSeq)
    ref.replies++
    return { jid, res: Response.json({ id: `out-${++counter}`, timestamp: new Date().toISOString() }) }
  }

  server = Bun.serve<{ session?: string }>({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 0,
    async fetch(req, srv) {
      const url = new URL(req.url)
      if (url.pathname === '/websocket') {
        if (srv.upgrade(req, { data: {} })) return undefined
        return new Response('upgrade required', { status: 426 })
      }
      const token = (req.headers.get('authorization') ?? '').replace(/^QQBot /, '')
      const body = req.method === 'GET' ? {} : await readBody(req)
      let out: { res: Response; jid: string; code?: number }
      if (url.pathname === '/app/getAppAccessToken') {
        if (body.appId !== appId || body.clientSecret !== appSecret)
          out = {
            jid: '',
            res: Response.json({ code: 100016, message: 'invalid appid or secret' }, { status: 400 }),
          }
        else {
          const access = `qqtok-${++counter}`
          tokens.add(access)
          out = { jid: '', res: Response.json({ access_token: access, expires_in: '7200' }) }
        }
      } else if (url.pathname === '/gateway' || url.pathname === '/gateway/bot') {
        out = tokens.has(token)
          ? { jid: '', res: Response.json({ url: `ws://127.0.0.1:${server.port}/websocket` }) }
          : { jid: '', res: Response.json({ code: 11244, message: 'token not exist' }, { status: 401 }) }
      } else out = sendRoute(url.pathname, token, body)
      calls.record({
        path: url.pathname,
        token,
        body,
        jid: out.jid,
        text: typeof body.content === 'string' ? body.content : '',
        status: out.res.status,
        ok: out.res.status === 200 && out.code === undefined,
        code: out.code,
        at: Date.now(),
      })
      return out.res
    },
    websocket: {
      open(ws) {
        sockets.add(ws)
        send(ws, { op: 10, d: { heartbeat_interval: opts.heartbeatMs ?? 45_000 } })
      },
      message(ws, raw) {
        const p = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> | number | null }
        ops.record({ op: p.op, d: p.d, at: Date.now() })
        if (p.op === 1) {
          if (acking) send(ws, { op: 11 })
          return
        }
        const d = (typeof p.d === 'object' && p.d !== null ? p.d : {}) as Record<string, unknown>
        if (p.op !== 2 && p.op !== 6) return
        if (!tokens.has(String(d.token ?? '').replace(/^QQBot /, ''))) return ws.close(4004, 'invalid token')
        if (p.op === 2) {
          const session = `sess-${++counter}`
          ws.data.session = session
          const s = ++seq
          sessions.set(session, s)
          send(ws, {
            op: 0,
            s,
            t: 'READY',
            d: {
              version: 1,
              session_id: session,
              user: { id: 'bot-1', username: 'ngb', bot: true },
              shard: [0, 1],
            },
          })
          return
        }
        const session = String(d.session_id ?? '')
        if (!sessions.has(session)) {
          send(ws, { op: 9, d: false })
          return
        }
        ws.data.session = session
        for (const e of events.filter((x) => x.s > Number(d.seq ?? 0)))
          send(ws, { op: 0, s: e.s, t: e.t, d: e.d, id: `${e.t}:${e.d.id}` })
        send(ws, { op: 0, s: ++seq, t: 'RESUMED', d: '' })
      },
      close(ws) {
        sockets.delete(ws)
      },
    },
  })

  const base = `http://127.0.0.1:${server.port}`
  return {
    apiBase: base,
    tokenUrl: `${base}/app/getAppAccessToken`,
    appId,
    appSecret,
    calls,
    ops,
    injectC2c(m) {
      const id = `ROBOT1.0_c2c${++counter}`
      messages.set(id, { jid: `qq:user:${m.openid}`, at: Date.now(), replies: 0, seqs: new Set() })
      dispatch('C2C_MESSAGE_CREATE', {
        id,
        content: m.text,
        timestamp: new Date().toISOString(),
        author: { user_openid: m.openid },
      })
      return id
    },
    injectGroupAt(m) {
      const id = `ROBOT1.0_grp${++counter}`
      messages.set(id, { jid: `qq:group:${m.groupOpenid}`, at: Date.now(), replies: 0, seqs: new Set() })
      dispatch('GROUP_AT_MESSAGE_CREATE', {
        id,
        content: ` ${m.text}`,
        timestamp: new Date().toISOString(),
        group_openid: m.groupOpenid,
        author: { member_openid: m.memberOpenid },
      })
      return id
    },
    redeliver(id) {
      const e = events.find((x) => x.d.id === id)
      if (!e) throw new Error(`no event carried ${id}`)
      dispatch(e.t, e.d)
    },
    failNext(f) {
      failures.push(f)
    },
    expireTokens() {
      tokens.clear()
    },
    setWindowMs(ms) {
      windowMs = ms
    },
    dropConnection() {
      for (const ws of sockets) ws.terminate()
      sockets.clear()
    },
    sendReconnect() {
      for (const ws of sockets) send(ws, { op: 7 })
    },
    stopAcking() {
      acking = false
    },
    resumeAcking() {
      acking = true
    },
    sendInvalidSession() {
      for (const ws of sockets) send(ws, { op: 9, d: false })
    },
    async stop() {
      await server.stop(true)
    },
  }
}
