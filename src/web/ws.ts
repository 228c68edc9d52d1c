import { Elysia } from 'elysia'
import * as v from 'valibot'
import type { EventBus, NgbEvent } from '../core/events.ts'
import type { Logger } from '../util/log.ts'
import type { AuthService, Principal } from './auth/auth-service.ts'
import type { AuthGuard } from './auth/guard.ts'
import { sameOrigin } from './auth/guard.ts'
import { HttpError } from './errors.ts'
import type { LiveDeps, LiveFilter, LiveView } from './live.tsx'
import { groupOf, renderLive } from './live.tsx'

const Folder = v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,63}$/)))
const JsonQuery = v.object({ group: Folder })
const UiQuery = v.object({
  view: v.optional(v.picklist(['overview', 'group', 'tasks', 'runs', 'chats']), 'overview'),
  group: Folder,
})
/** Clients may change their subscription: `{"subscribe": "<folder>" | "*"}`. */
const ClientMessage = v.object({ subscribe: v.pipe(v.string(), v.maxLength(64)) })
const SUBSCRIBE_HELP = 'expected {"subscribe": "<group folder>"} or {"subscribe": "*"} for an existing group'
/** How often open sockets re-check their session or token (they close within this of a logout). */
const REVALIDATE_MS = 250
/** Close code for a socket whose session or token ended (4000-4999 are the application's). */
export const WS_CLOSE_UNAUTHORIZED = 4401

export interface WsDeps extends LiveDeps {
  bus: EventBus
  guard: AuthGuard
  /** Each socket stays bound to the session or token that opened it. */
  auth: Pick<AuthService, 'isValid'>
  /** Subscriptions name existing groups only. */
  groupExists: (folder: string) => boolean
  log: Logger
  revalidateMs?: number
  /** Latency probe: event received from the bus → frame handed to the socket. */
  onFrameSent?: (e: NgbEvent, ms: number) => void
}

interface Client {
  principal: Principal
  close(code: number, reason: string): void
  send(data: string): void
  /** JSON clients: one group, or all when undefined. */
  group?: string
  matches(e: NgbEvent): boolean
  render(e: NgbEvent): string[]
}

/**
 * /ws streams bus events as JSON `{type, ...event}` (all, or one group with `?group=`);
 * /ws/ui streams htmx fragments `{target, swap, content}` for the page in `?view=&group=`.
 * Both need a session or bearer token (the guard runs on the upgrade) and a same-origin Origin.
 */
export function wsRoutes(deps: WsDeps) {
  const clients = new Map<string, Client>()
  // Queries are checked here, not by a route schema, so an error never echoes what was sent.
  const checkUpgrade =
    <S extends typeof JsonQuery | typeof UiQuery>(schema: S) =>
    ({ request }: { request: Request }) => {
      if (!sameOrigin(request))
        throw new HttpError(403, 'forbidden', 'WebSocket from a foreign origin refused')
      const query = Object.fromEntries(new URL(request.url).searchParams)
      const parsed = v.safeParse(schema, query)
      if (!parsed.success)
        throw new HttpError(422, 'invalid_input', 'invalid query: see the API docs for /ws')
      if (parsed.output.group !== undefined && !deps.groupExists(parsed.output.group))
        throw new HttpError(404, 'not_found', 'no such group')
    }
  const principalOf = (data: unknown): Principal => {
    const p = (data as { principal?: Principal }).principal
    if (!p) throw new HttpError(401, 'unauthorized', 'log in first')
    return p
  }
  // Logout, a revoked token, a changed password or an expired session closes the socket.
  const sweep = setInterval(() => {
    for (const [id, c] of clients) {
      let ok = false
      try {
        ok = deps.auth.isValid(c.principal)
      } catch (error) {
        deps.log.warn('ws session check failed', { error: String(error) })
      }
      if (ok) continue
      clients.delete(id)
      c.close(WS_CLOSE_UNAUTHORIZED, 'session ended')
    }
  }, deps.revalidateMs ?? REVALIDATE_MS)
  sweep.unref?.()
  const unsubscribeBus = deps.bus.on('*', (e) => {
    for (const c of clients.values()) {
      if (!c.matches(e)) continue
      const t0 = performance.now()
      try {
        for (const frame of c.render(e)) c.send(frame)
      } catch (error) {
        deps.log.warn('ws push failed', { error: String(error), event: e.type })
      }
      deps.onFrameSent?.(e, performance.now() - t0)
    }
  })
  const app = new Elysia({ name: 'ngb-ws' })
    .use(deps.guard)
    .ws('/ws', {
      beforeHandle: checkUpgrade(JsonQuery),
      open(ws) {
        const query = v.parse(JsonQuery, ws.data.query)
        const client: Client = {
          principal: principalOf(ws.data),
          close: (code, reason) => ws.close(code, reason),
          send: (d) => ws.send(d),
          group: query.group,
          matches: (e) => client.group === undefined || groupOf(e) === client.group,
          render: (e) => [JSON.stringify(e)],
        }
        clients.set(ws.id, client)
        ws.send(JSON.stringify({ type: 'hello', group: client.group ?? '*' }))
      },
      message(ws, raw) {
        const client = clients.get(ws.id)
        const msg = v.safeParse(ClientMessage, typeof raw === 'string' ? safeJson(raw) : raw)
        const group = msg.success ? msg.output.subscribe : undefined
        if (!client || group === undefined || (group !== '*' && !deps.groupExists(group))) {
          ws.send(JSON.stringify({ type: 'error', message: SUBSCRIBE_HELP }))
          return
        }
        client.group = group === '*' ? undefined : group
        ws.send(JSON.stringify({ type: 'subscribed', group }))
      },
      close(ws) {
        clients.delete(ws.id)
      },
    })
    .ws('/ws/ui', {
      beforeHandle: checkUpgrade(UiQuery),
      open(ws) {
        const query = v.parse(UiQuery, ws.data.query)
        const filter: LiveFilter = { view: query.view as LiveView, group: query.group }
        clients.set(ws.id, {
          principal: principalOf(ws.data),
          close: (code, reason) => ws.close(code, reason),
          send: (d) => ws.send(d),
          matches: () => true,
          render: (e) => renderLive(deps, filter, e).map((f) => JSON.stringify(f)),
        })
        // Tells the page (and the browser tests) that live updates flow from now on.
        ws.send(JSON.stringify({ target: '#live-status', swap: 'innerHTML', content: 'live' }))
      },
      close(ws) {
        clients.delete(ws.id)
      },
    })
  return {
    app,
    clientCount: () => clients.size,
    stop() {
      clearInterval(sweep)
      unsubscribeBus()
    },
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
