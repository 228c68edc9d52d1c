import type { Server, ServerWebSocket } from 'bun'
import type { FailureKind, Recorder } from './recorder.ts'
import { createRecorder } from './recorder.ts'

/**
 * A local WeCom AI-bot long connection: JSON frames `{cmd, headers:{req_id}, body}`. It checks the
 * `aibot_subscribe` credentials, pushes `aibot_msg_callback` frames, acks every request by req_id
 * (`{headers, errcode, errmsg}`, no cmd) and records replies. Callbacks injected while no
 * subscribed socket is open wait for the next one. Group callbacks only exist for @-mentions, as on
 * the real platform.
 */

export interface WecomCall {
  cmd: string
  reqId: string
  /** The chat the frame went to: the callback's chat for replies, chatid for proactive sends. */
  jid: string
  body: Record<string, unknown>
  errcode: number
  at: number
}

export interface WecomFake {
  wsUrl: string
  botId: string
  secret: string
  /** Every aibot_respond_msg / aibot_send_msg, acked or refused. */
  calls: Recorder<WecomCall>
  subscribes: Recorder<{ ok: boolean; at: number }>
  /** Pushes a text callback; returns its msgid. */
  injectText(m: { user: string; text: string; groupChatId?: string }): string
  /** The callback of `msgid` again (same msgid, new req_id), as WeCom retries an unanswered one. */
  redeliver(msgid: string): void
  failNext(failure: FailureKind): void
  /** Cuts the socket without a close frame. */
  dropConnection(): void
  stop(): Promise<void>
}

interface Frame {
  cmd?: string
  headers?: { req_id?: string }
  body?: Record<string, unknown>
}

let counter = 0

export function startWecomFake(opts: { botName?: string } = {}): WecomFake {
  const botId = 'aib0000fakebot01'
  const secret = 'fake-wecom-secret'
  const botName = opts.botName ?? 'NgbBot'
  const calls = createRecorder<WecomCall>()
  const subscribes = createRecorder<{ ok: boolean; at: number }>()
  const failures: FailureKind[] = []
  const callbacks = new Map<string, Record<string, unknown>>()
  /** req_id of a callback → the chat it came from, so replies can be attributed. */
  const chatOfReq = new Map<string, string>()
  const groups = new Set<string>()
  const pending: Frame[] = []
  const live = new Set<ServerWebSocket<undefined>>()
  const sockets = new Set<ServerWebSocket<undefined>>()
  let server: Server<undefined>

  const jidOf = (body: Record<string, unknown>) =>
    body.chattype === 'group'
      ? `wecom:group:${String(body.chatid)}`
      : `wecom:user:${String((body.from as { userid: string }).userid)}`

  function push(frame: Frame) {
    const ws = [...live][0]
    if (!ws) {
      pending.push(frame)
      return
    }
    ws.send(JSON.stringify(frame))
  }

  function callback(body: Record<string, unknown>) {
    const reqId = `cb_${Date.now()}_${++counter}`
    chatOfReq.set(reqId, jidOf(body))
    push({ cmd: 'aibot_msg_callback', headers: { req_id: reqId }, body })
  }

  const ack = (ws: ServerWebSocket<undefined>, reqId: string, errcode = 0, errmsg = 'ok') =>
    ws.send(JSON.stringify({ headers: { req_id: reqId }, errcode, errmsg }))

  function onFrame(ws: ServerWebSocket<undefined>, f: Frame) {
    const reqId = f.headers?.req_id ?? ''
    const body = f.body ?? {}
    switch (f.cmd) {
      case 'aibot_subscribe': {
        const ok = body.bot_id === botId && body.secret === secret
        subscribes.record({ ok, at: Date.now() })
        if (!ok) return ack(ws, reqId, 40058, 'invalid bot_id or secret')
        ack(ws, reqId)
        live.add(ws)
        for (const frame of pending.splice(0)) push(frame)
        return
      }
      case 'ping':
        return ack(ws, reqId)
      case 'aibot_respond_msg':
      case 'aibot_send_msg': {
        if (!live.has(ws)) return ack(ws, reqId, 40001, 'not subscribed')
        const jid =
          f.cmd === 'aibot_respond_msg'
            ? (chatOfReq.get(reqId) ?? 'unknown')
            : groups.has(String(body.chatid))
              ? `wecom:group:${String(body.chatid)}`
              : `wecom:user:${String(body.chatid)}`
        // Forced failures hit messages the user would see, not the bubble's "working" frames.
        const forced = isDelivered({ cmd: f.cmd, body }) ? failures.shift() : undefined
        const [errcode, errmsg] =
          forced?.kind === 'rate_limit'
            ? [45009, 'api freq out of limit']
            : forced
              ? [-1, 'system busy']
              : [0, 'ok']
        const content = contentOf(body)
        if (errcode === 0 && Buffer.byteLength(content, 'utf8') > 20480) {
          calls.record({ cmd: f.cmd, reqId, jid, body, errcode: 40058, at: Date.now() })
          return ack(ws, reqId, 40058, 'content exceeds 20480 bytes')
        }
        calls.record({ cmd: f.cmd, reqId, jid, body, errcode, at: Date.now() })
        return ack(ws, reqId, errcode, errmsg)
      }
      default:
        return ack(ws, reqId, 40008, `unknown cmd ${String(f.cmd)}`)
    }
  }

  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 0,
    fetch(req, srv) {
      if (srv.upgrade(req)) return undefined
      return new Response('upgrade required', { status: 426 })
    },
    websocket: {
      open(ws) {
        sockets.add(ws)
      },
      message(ws, raw) {
        onFrame(ws, JSON.parse(String(raw)) as Frame)
      },
      close(ws) {
        sockets.delete(ws)
        live.delete(ws)
      },
    },
  })

  return {
    wsUrl: `ws://127.0.0.1:${server.port}`,
    botId,
    secret,
    calls,
    subscribes,
    injectText(m) {
      const msgid = `msg${Date.now()}${++counter}`
      if (m.groupChatId) groups.add(m.groupChatId)
      const body: Record<string, unknown> = {
        msgid,
        aibotid: botId,
        ...(m.groupChatId ? { chatid: m.groupChatId } : {}),
        chattype: m.groupChatId ? 'group' : 'single',
        from: { userid: m.user },
        create_time: Math.floor(Date.now() / 1000),
        msgtype: 'text',
        text: { content: m.groupChatId ? `@${botName} ${m.text}` : m.text },
      }
      callbacks.set(msgid, body)
      callback(body)
      return msgid
    },
    redeliver(msgid) {
      const body = callbacks.get(msgid)
      if (!body) throw new Error(`no callback carried msgid ${msgid}`)
      callback(body)
    },
    failNext(failure) {
      failures.push(failure)
    },
    dropConnection() {
      for (const ws of sockets) ws.terminate()
      sockets.clear()
      live.clear()
    },
    async stop() {
      await server.stop(true)
    },
  }
}

/** The text a reply frame carries: a stream's content or a markdown message's. */
export function contentOf(body: Record<string, unknown>): string {
  const stream = body.stream as { content?: string } | undefined
  const markdown = body.markdown as { content?: string } | undefined
  return stream?.content ?? markdown?.content ?? ''
}

/** True for a frame that shows text to the user (finished stream or proactive message). */
export function isDelivered(call: Pick<WecomCall, 'cmd' | 'body'>): boolean {
  if (call.cmd === 'aibot_send_msg') return true
  return (call.body.stream as { finish?: boolean } | undefined)?.finish === true
}
