import type { Server, ServerWebSocket } from 'bun'
import type { ChatCall, FailureKind, Recorder } from './recorder.ts'
import { createRecorder, readBody } from './recorder.ts'

/**
 * A local DingTalk: the Stream gateway (`POST /v1.0/gateway/connections/open` → one-time ticket →
 * WebSocket of JSON frames: SYSTEM ping/disconnect, CALLBACK robot messages, acks recorded), the
 * per-message session webhooks (`POST /robot/sendBySession?session=…`, refused once expired), the
 * token endpoint and the robot send APIs (refusing expired tokens with 401 InvalidAuthentication).
 */

/** `jid` is `dingtalk:user:<id>` / `dingtalk:group:<id>`; `ok`: HTTP 200 and, for session webhooks, errcode 0. */
export type DingCall = ChatCall

export interface DingFrameAck {
  messageId: string
  code: number
}

export interface DingTalkFake {
  apiBase: string
  clientId: string
  clientSecret: string
  calls: Recorder<DingCall>
  acks: Recorder<DingFrameAck>
  /** Connections the client opened (one per ticket). */
  connections: Recorder<{ ticket: string; at: number }>
  injectMessage(m: {
    conversationType: '1' | '2'
    conversationId: string
    staffId: string
    nick: string
    text: string
    atBot?: boolean
    title?: string
  }): string
  /** Sends the CALLBACK frame that carried `msgId` again (a new frame id), as after a missed ack. */
  redeliver(msgId: string): void
  failNext(failure: FailureKind): void
  /** Tokens issued so far stop working (401 InvalidAuthentication) as if they had expired. */
  expireTokens(): void
  /** Session webhooks handed out so far are expired: messages carry an expiry in the past. */
  expireSessions(): void
  dropConnection(): void
  sendDisconnect(): void
  stop(): Promise<void>
}

let counter = 0

export function startDingTalkFake(): DingTalkFake {
  const clientId = 'dingfakeappkey0001'
  const clientSecret = 'fake-dingtalk-secret'
  const calls = createRecorder<DingCall>()
  const acks = createRecorder<DingFrameAck>()
  const connections = createRecorder<{ ticket: string; at: number }>()
  const failures: FailureKind[] = []
  const tickets = new Set<string>()
  const validTokens = new Set<string>()
  /** session id → chat jid and expiry. */
  const sessions = new Map<string, { jid: string; expiresAt: number }>()
  const frames = new Map<string, Record<string, unknown>>()
  const pending: string[] = []
  const sockets = new Set<ServerWebSocket<{ ticket: string }>>()
  let sessionsExpired = false
  let server: Server<{ ticket: string }>

  const sendFrame = (frame: string) => {
    const ws = [...sockets][0]
    if (ws) ws.send(frame)
    else pending.push(frame)
  }

  function forced(): Response | undefined {
    const f = failures.shift()
    if (f?.kind === 'rate_limit') return Response.json({ errcode: 130101, errmsg: 'send too fast' })
    if (f) return new Response('bad gateway', { status: 502 })
    return undefined
  }

  function textOfMarkdown(body: Record<string, unknown>): string {
    const md = body.markdown as { text?: unknown } | undefined
    if (md && typeof md.text === 'string') return md.text
    if (typeof body.msgParam === 'string') {
      const p = JSON.parse(body.msgParam) as { text?: unknown; content?: unknown }
      return String(p.text ?? p.content ?? '')
    }
    return ''
  }

  function route(
    path: string,
    search: URLSearchParams,
    token: string,
    body: Record<string, unknown>,
  ): { res: Response; jid?: string; ok?: boolean } {
    if (path === '/v1.0/gateway/connections/open') {
      if (body.clientId !== clientId || body.clientSecret !== clientSecret)
        return {
          res: Response.json({ code: 'InvalidAuthentication', message: 'bad client' }, { status: 401 }),
        }
      const ticket = crypto.randomUUID()
      tickets.add(ticket)
      return { res: Response.json({ endpoint: `ws://127.0.0.1:${server.port}/connect`, ticket }) }
    }
    if (path === '/v1.0/oauth2/accessToken') {
      if (body.appKey !== clientId || body.appSecret !== clientSecret)
        return { res: Response.json({ code: 'InvalidAuthentication', message: 'bad app' }, { status: 400 }) }
      const accessToken = `at-${++counter}`
      validTokens.add(accessToken)
      return { res: Response.json({ accessToken, expireIn: 7200 }) }
    }
    if (path === '/robot/sendBySession') {
      const s = sessions.get(search.get('session') ?? '')
      const jid = s?.jid ?? ''
      if (!s || s.expiresAt < Date.now())
        return { jid, ok: false, res: Response.json({ errcode: 300001, errmsg: 'session expired' }) }
      const f = forced()
      return { jid, ok: !f, res: f ?? Response.json({ errcode: 0, errmsg: 'ok' }) }
    }
    const isOto = path === '/v1.0/robot/oToMessages/batchSend'
    if (isOto || path === '/v1.0/robot/groupMessages/send') {
      const jid = isOto
        ? `dingtalk:user:${(body.userIds as string[] | undefined)?.[0] ?? ''}`
        : `dingtalk:group:${String(body.openConversationId ?? '')}`
      if (!validTokens.has(token))
        return {
          jid,
          res: Response.json(
            { code: 'InvalidAuthentication', message: '不合法的access_token' },
            { status: 401 },
          ),
        }
      if (body.robotCode !== clientId)
        return {
          jid,
          res: Response.json({ code: 'invalidParameter', message: 'robotCode' }, { status: 400 }),
        }
      const f = failures.shift()
      if (f?.kind === 'rate_limit')
        return { jid, res: Response.json({ code: 'Throttling', message: 'too many' }, { status: 429 }) }
      if (f) return { jid, res: new Response('bad gateway', { status: 502 }) }
      return { jid, res: Response.json({ processQueryKey: `pqk-${++counter}` }) }
    }
    return { res: new Response('not found', { status: 404 }) }
  }

  server = Bun.serve<{ ticket: string }>({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 0,
    async fetch(req, srv) {
      const url = new URL(req.url)
      if (url.pathname === '/connect') {
        const ticket = url.searchParams.get('ticket') ?? ''
        // A ticket opens one connection; a reconnect must ask the gateway again.
        if (!tickets.delete(ticket)) return new Response('invalid ticket', { status: 403 })
        if (srv.upgrade(req, { data: { ticket } })) return undefined
        return new Response('upgrade required', { status: 426 })
      }
      const token = req.headers.get('x-acs-dingtalk-access-token') ?? ''
      const body = await readBody(req)
      const { res, jid = '', ok = res.status === 200 } = route(url.pathname, url.searchParams, token, body)
      calls.record({
        path: url.pathname,
        token,
        body,
        jid,
        text: textOfMarkdown(body),
        status: res.status,
        ok,
        at: Date.now(),
      })
      return res
    },
    websocket: {
      open(ws) {
        sockets.add(ws)
        connections.record({ ticket: ws.data.ticket, at: Date.now() })
        ws.send(
          JSON.stringify({
            specVersion: '1.0',
            type: 'SYSTEM',
            headers: {
              contentType: 'application/json',
              messageId: `sys-${++counter}`,
              topic: 'ping',
              time: String(Date.now()),
            },
            data: JSON.stringify({ opaque: `op-${counter}` }),
          }),
        )
        for (const f of pending.splice(0)) ws.send(f)
      },
      message(_ws, raw) {
        const m = JSON.parse(String(raw)) as { code?: number; headers?: { messageId?: string } }
        acks.record({ messageId: m.headers?.messageId ?? '', code: m.code ?? 0 })
      },
      close(ws) {
        sockets.delete(ws)
      },
    },
  })

  function frameFor(data: Record<string, unknown>): string {
    return JSON.stringify({
      specVersion: '1.0',
      type: 'CALLBACK',
      headers: {
        appId: 'fake-app',
        connectionId: 'conn-1',
        contentType: 'application/json',
        messageId: `cb-${++counter}`,
        time: String(Date.now()),
        topic: '/v1.0/im/bot/messages/get',
      },
      data: JSON.stringify(data),
    })
  }

  const base = `http://127.0.0.1:${server.port}`
  return {
    apiBase: base,
    clientId,
    clientSecret,
    calls,
    acks,
    connections,
    injectMessage(m) {
      const msgId = `msg${++counter}${Date.now()}`
      const session = `s-${counter}`
      const jid =
        m.conversationType === '2' ? `dingtalk:group:${m.conversationId}` : `dingtalk:user:${m.staffId}`
      const expiresAt = sessionsExpired ? Date.now() - 1000 : Date.now() + 90 * 60_000
      sessions.set(session, { jid, expiresAt })
      const data = {
        msgId,
        msgtype: 'text',
        text: { content: m.conversationType === '2' && m.atBot ? ` ${m.text}` : m.text },
        conversationId: m.conversationId,
        conversationType: m.conversationType,
        ...(m.title ? { conversationTitle: m.title } : {}),
        senderId: `$:LWCP_v1:$${m.staffId}`,
        senderStaffId: m.staffId,
        senderNick: m.nick,
        chatbotUserId: '$:LWCP_v1:$bot',
        robotCode: clientId,
        isInAtList: m.conversationType === '1' || m.atBot === true,
        sessionWebhook: `${base}/robot/sendBySession?session=${session}`,
        sessionWebhookExpiredTime: expiresAt,
        createAt: Date.now(),
      }
      frames.set(msgId, data)
      sendFrame(frameFor(data))
      return msgId
    },
    redeliver(msgId) {
      const data = frames.get(msgId)
      if (!data) throw new Error(`no callback carried ${msgId}`)
      sendFrame(frameFor(data))
    },
    failNext(f) {
      failures.push(f)
    },
    expireTokens() {
      validTokens.clear()
    },
    expireSessions() {
      sessionsExpired = true
      for (const s of sessions.values()) s.expiresAt = Date.now() - 1000
    },
    dropConnection() {
      for (const ws of sockets) ws.terminate()
      sockets.clear()
    },
    sendDisconnect() {
      for (const ws of sockets)
        ws.send(
          JSON.stringify({
            specVersion: '1.0',
            type: 'SYSTEM',
            headers: { contentType: 'application/json', messageId: `sys-${++counter}`, topic: 'disconnect' },
            data: JSON.stringify({ reason: 'server maintenance' }),
          }),
        )
    },
    async stop() {
      await server.stop(true)
    },
  }
}
