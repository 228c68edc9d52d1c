import * as v from 'valibot'
import type { ChannelHealth } from '../../core/channel/channel.ts'
import { ChannelError, errorMessage } from '../../core/errors.ts'
import { backoffDelay } from '../../util/backoff.ts'
import type { Logger } from '../../util/log.ts'

/**
 * DingTalk Stream mode, written directly: POST /v1.0/gateway/connections/open for an endpoint and a
 * one-time ticket, then one WebSocket of JSON frames. SYSTEM pings are echoed, CALLBACK frames are
 * acked before they are handed on (DingTalk redelivers what is not acked), and a lost socket or a
 * `disconnect` frame opens a new connection with a fresh ticket, with backoff.
 */

export const ROBOT_TOPIC = '/v1.0/im/bot/messages/get'

const Frame = v.object({
  specVersion: v.optional(v.string()),
  type: v.string(),
  headers: v.record(v.string(), v.unknown()),
  data: v.optional(v.string()),
})
type Frame = v.InferOutput<typeof Frame>

const OpenResult = v.object({ endpoint: v.string(), ticket: v.string() })

export interface StreamDeps {
  apiBase: string
  clientId: string
  clientSecret: string
  log: Logger
  /** A robot message's `data` (JSON text), after its frame was acked. */
  onCallback(data: string): void | Promise<void>
  onHealth(health: ChannelHealth): void
  /** First reconnect delay; doubles up to 60 s (default 1000 ms). */
  reconnectBaseMs?: number
}

export interface StreamClient {
  start(): Promise<void>
  stop(): Promise<void>
}

export function createStreamClient(deps: StreamDeps): StreamClient {
  const log = deps.log
  let ws: WebSocket | undefined
  let stopping = false
  let attempt = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  async function openTicket(): Promise<string> {
    let res: Response
    try {
      res = await fetch(`${deps.apiBase}/v1.0/gateway/connections/open`, {
        method: 'POST',
        // Without Accept: application/json the gateway answers XML.
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          clientId: deps.clientId,
          clientSecret: deps.clientSecret,
          ua: 'ngb',
          subscriptions: [{ type: 'CALLBACK', topic: ROBOT_TOPIC }],
        }),
      })
    } catch (err) {
      throw new ChannelError(`DingTalk gateway not reachable: ${errorMessage(err)}`, {
        retryable: true,
        cause: err,
      })
    }
    const body: unknown = await res.json().catch(() => undefined)
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      throw new ChannelError(
        `DingTalk refused the client credentials (HTTP ${res.status}); check DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET (the app's AppKey and AppSecret)`,
        { retryable: false },
      )
    }
    const parsed = v.safeParse(OpenResult, body)
    if (!res.ok || !parsed.success)
      throw new ChannelError(`DingTalk gateway answered HTTP ${res.status}`, { retryable: true })
    return `${parsed.output.endpoint}${parsed.output.endpoint.includes('?') ? '&' : '?'}ticket=${encodeURIComponent(parsed.output.ticket)}`
  }

  function reply(socket: WebSocket, frame: Frame, data: string) {
    socket.send(
      JSON.stringify({
        code: 200,
        headers: { contentType: 'application/json', messageId: String(frame.headers.messageId ?? '') },
        message: 'OK',
        data,
      }),
    )
  }

  function onFrame(socket: WebSocket, raw: string) {
    let json: unknown
    try {
      json = JSON.parse(raw)
    } catch {
      log.warn('DingTalk sent a frame that is not JSON; ignored')
      return
    }
    const parsed = v.safeParse(Frame, json)
    if (!parsed.success) return
    const frame = parsed.output
    const topic = String(frame.headers.topic ?? '')
    if (frame.type === 'SYSTEM') {
      if (topic === 'ping') reply(socket, frame, frame.data ?? '')
      else if (topic === 'disconnect') {
        log.info('DingTalk asked to reconnect')
        socket.close(1000, 'disconnect requested')
      }
      return
    }
    if (frame.type === 'CALLBACK' && topic === ROBOT_TOPIC) {
      // Ack first: the agent turn is long, and an un-acked callback comes again after ~60 s.
      reply(socket, frame, JSON.stringify({ response: null }))
      Promise.resolve(deps.onCallback(frame.data ?? '')).catch((err: unknown) =>
        log.error('inbound handler failed', { error: errorMessage(err) }),
      )
      return
    }
    if (frame.type === 'EVENT') reply(socket, frame, JSON.stringify({ status: 'SUCCESS', message: 'ok' }))
  }

  function connectOnce(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url)
      let opened = false
      socket.addEventListener('open', () => {
        opened = true
        ws = socket
        attempt = 0
        deps.onHealth({ status: 'connected' })
        resolve()
      })
      socket.addEventListener('message', (e) => onFrame(socket, String(e.data)))
      socket.addEventListener('close', () => {
        if (ws === socket) ws = undefined
        if (!opened) reject(new ChannelError('DingTalk stream closed before it opened', { retryable: true }))
        else if (!stopping) scheduleReconnect('connection lost')
      })
    })
  }

  /** `badCredentials`: the health already says "error"; reconnecting goes on quietly and slowly. */
  function scheduleReconnect(reason: string, badCredentials = false) {
    if (stopping || timer) return
    if (badCredentials) attempt = Math.max(attempt, 6)
    const delay = backoffDelay(attempt++, { baseMs: deps.reconnectBaseMs ?? 1000, maxMs: 60_000 })
    if (!badCredentials)
      deps.onHealth({
        status: 'connecting',
        detail: `${reason}; next attempt in ${(delay / 1000).toFixed(1)} s`,
      })
    timer = setTimeout(() => {
      timer = undefined
      openTicket()
        .then((url) => connectOnce(url))
        .catch((err: unknown) => {
          // Wrong credentials stay wrong: say so, and keep trying slowly in case they are fixed upstream.
          const bad = err instanceof ChannelError && !err.retryable
          if (bad) deps.onHealth({ status: 'error', detail: errorMessage(err) })
          log.warn('DingTalk reconnect failed', { error: errorMessage(err) })
          scheduleReconnect(errorMessage(err), bad)
        })
    }, delay)
  }

  return {
    /** Resolves once connected, or once a transient failure was scheduled for retry; throws on bad credentials. */
    async start() {
      stopping = false
      try {
        await connectOnce(await openTicket())
      } catch (err) {
        if (err instanceof ChannelError && !err.retryable) throw err
        log.warn('DingTalk stream not reachable at start; retrying', { error: errorMessage(err) })
        scheduleReconnect(errorMessage(err))
      }
    },
    async stop() {
      stopping = true
      clearTimeout(timer)
      timer = undefined
      ws?.close(1000, 'ngb stopping')
      ws = undefined
    },
  }
}
