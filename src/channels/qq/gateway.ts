import * as v from 'valibot'
import type { ChannelHealth } from '../../core/channel/channel.ts'
import { ChannelError, errorMessage } from '../../core/errors.ts'
import { backoffDelay } from '../../util/backoff.ts'
import type { Logger } from '../../util/log.ts'
import type { QqToken } from './token.ts'

/**
 * The QQ bot gateway WebSocket, written directly (same shape as Discord's): Hello → Identify →
 * READY, heartbeats with the last sequence number, and on a lost connection a Resume with the
 * session id and sequence, so the platform replays what was missed. op 7 asks for a reconnect,
 * op 9 invalidates the session (identify again).
 */

/** GROUP_AND_C2C_EVENT: C2C_MESSAGE_CREATE, GROUP_AT_MESSAGE_CREATE, … */
export const INTENTS = 1 << 25

const Payload = v.object({
  op: v.number(),
  d: v.optional(v.unknown()),
  s: v.optional(v.nullable(v.number())),
  t: v.optional(v.nullable(v.string())),
  id: v.optional(v.string()),
})
const Hello = v.object({ heartbeat_interval: v.number() })
const Ready = v.object({ session_id: v.string(), user: v.optional(v.object({ id: v.optional(v.string()) })) })
const GatewayUrl = v.object({ url: v.string() })

export interface GatewayDeps {
  apiBase: string
  token: QqToken
  log: Logger
  onDispatch(type: string, data: unknown): void | Promise<void>
  onHealth(health: ChannelHealth): void
  reconnectBaseMs?: number
}

export function createGateway(deps: GatewayDeps) {
  const log = deps.log
  let ws: WebSocket | undefined
  let session: { id: string; seq: number } | undefined
  let seq: number | null = null
  let heartbeat: ReturnType<typeof setInterval> | undefined
  let acked = true
  let stopping = false
  let attempt = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  async function gatewayUrl(): Promise<string> {
    const token = await deps.token.get()
    let res: Response
    try {
      res = await fetch(`${deps.apiBase}/gateway`, { headers: { authorization: `QQBot ${token}` } })
    } catch (err) {
      throw new ChannelError(`QQ gateway not reachable: ${errorMessage(err)}`, {
        retryable: true,
        cause: err,
      })
    }
    if (res.status === 401) {
      deps.token.invalidate()
      throw new ChannelError('QQ refused the access token for /gateway', { retryable: true })
    }
    const parsed = v.safeParse(GatewayUrl, await res.json().catch(() => undefined))
    if (!res.ok || !parsed.success)
      throw new ChannelError(`QQ /gateway answered HTTP ${res.status}`, { retryable: true })
    return parsed.output.url
  }

  const send = (socket: WebSocket, op: number, d: unknown) => socket.send(JSON.stringify({ op, d }))

  function startHeartbeat(socket: WebSocket, intervalMs: number) {
    clearInterval(heartbeat)
    acked = true
    heartbeat = setInterval(() => {
      // No ACK since the last beat: the connection is a zombie; close it and resume.
      if (!acked) {
        log.warn('QQ heartbeat not acknowledged; reconnecting')
        socket.close(4000, 'heartbeat timeout')
        return
      }
      acked = false
      send(socket, 1, seq)
    }, intervalMs)
  }

  async function onPayload(socket: WebSocket, raw: string, ready: () => void) {
    let json: unknown
    try {
      json = JSON.parse(raw)
    } catch {
      return
    }
    const parsed = v.safeParse(Payload, json)
    if (!parsed.success) return
    const p = parsed.output
    if (typeof p.s === 'number') seq = p.s
    switch (p.op) {
      case 10: {
        const hello = v.safeParse(Hello, p.d)
        startHeartbeat(socket, hello.success ? hello.output.heartbeat_interval : 41_250)
        const token = `QQBot ${await deps.token.get()}`
        if (session) send(socket, 6, { token, session_id: session.id, seq: session.seq })
        else
          send(socket, 2, {
            token,
            intents: INTENTS,
            shard: [0, 1],
            properties: { $os: 'linux', $browser: 'ngb', $device: 'ngb' },
          })
        return
      }
      case 11:
        acked = true
        return
      case 7:
        socket.close(4000, 'reconnect requested')
        return
      case 9:
        // The session cannot be resumed: the next connection identifies afresh.
        session = undefined
        seq = null
        socket.close(4000, 'invalid session')
        return
      case 0: {
        if (p.t === 'READY') {
          const r = v.safeParse(Ready, p.d)
          if (r.success) session = { id: r.output.session_id, seq: seq ?? 0 }
          ready()
          return
        }
        if (p.t === 'RESUMED') {
          ready()
          return
        }
        if (session && seq !== null) session.seq = seq
        if (p.t) await deps.onDispatch(p.t, p.d)
        return
      }
    }
  }

  function connectOnce(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url)
      let isReady = false
      ws = socket
      const ready = () => {
        if (isReady) return
        isReady = true
        attempt = 0
        deps.onHealth({ status: 'connected' })
        resolve()
      }
      socket.addEventListener('message', (e) => {
        onPayload(socket, String(e.data), ready).catch((err: unknown) =>
          log.error('QQ event handling failed', { error: errorMessage(err) }),
        )
      })
      socket.addEventListener('close', (e) => {
        if (ws === socket) {
          ws = undefined
          clearInterval(heartbeat)
        }
        // 4004: the token is no longer valid; 4006/4007/4009: the session cannot be resumed.
        if (e.code === 4004) deps.token.invalidate()
        if ([4006, 4007, 4009].includes(e.code)) session = undefined
        if (e.code === 4914 || e.code === 4915) {
          const err = new ChannelError(
            `QQ closed the bot's connection (code ${e.code}: bot offline or banned)`,
            {
              retryable: false,
            },
          )
          deps.onHealth({ status: 'error', detail: err.message })
          if (!isReady) reject(err)
          return
        }
        if (!isReady)
          reject(new ChannelError(`QQ gateway closed before READY (code ${e.code})`, { retryable: true }))
        else if (!stopping) scheduleReconnect(`connection lost (code ${e.code})`)
      })
    })
  }

  function scheduleReconnect(reason: string) {
    if (stopping || timer) return
    const delay = backoffDelay(attempt++, { baseMs: deps.reconnectBaseMs ?? 1000, maxMs: 60_000 })
    deps.onHealth({
      status: 'connecting',
      detail: `${reason}; next attempt in ${(delay / 1000).toFixed(1)} s`,
    })
    timer = setTimeout(() => {
      timer = undefined
      gatewayUrl()
        .then((url) => connectOnce(url))
        .catch((err: unknown) => {
          log.warn('QQ reconnect failed', { error: errorMessage(err) })
          if (err instanceof ChannelError && !err.retryable) {
            deps.onHealth({ status: 'error', detail: err.message })
            return
          }
          scheduleReconnect(errorMessage(err))
        })
    }, delay)
  }

  return {
    /** Resolves at READY, or once a transient failure was scheduled for retry; throws on bad credentials. */
    async start() {
      stopping = false
      try {
        await connectOnce(await gatewayUrl())
      } catch (err) {
        if (err instanceof ChannelError && !err.retryable) throw err
        log.warn('QQ gateway not reachable at start; retrying', { error: errorMessage(err) })
        scheduleReconnect(errorMessage(err))
      }
    },
    async stop() {
      stopping = true
      clearTimeout(timer)
      timer = undefined
      clearInterval(heartbeat)
      ws?.close(1000, 'ngb stopping')
      ws = undefined
    },
  }
}
