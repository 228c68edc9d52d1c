import { Elysia } from 'elysia'
import * as v from 'valibot'
import type { EventBus, NgbEvent } from '../core/events.ts'
import type { Logger } from '../util/log.ts'
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
const ClientMessage = v.object({ subscribe: v.string() })

export interface WsDeps extends LiveDeps {
  bus: EventBus
  guard: AuthGuard
  log: Logger
  /** Latency probe: event received from the bus → frame handed to the socket. */
  onFrameSent?: (e: NgbEvent, ms: number) => void
}

interface Client {
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
  const checkOrigin = ({ request }: { request: Request }) => {
    if (!sameOrigin(request)) throw new HttpError(403, 'forbidden', 'WebSocket from a foreign origin refused')
  }
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
      query: JsonQuery,
      beforeHandle: checkOrigin,
      body: ClientMessage,
      open(ws) {
        const client: Client = {
          send: (d) => ws.send(d),
          group: ws.data.query.group,
          matches: (e) => client.group === undefined || groupOf(e) === client.group,
          render: (e) => [JSON.stringify(e)],
        }
        clients.set(ws.id, client)
        ws.send(JSON.stringify({ type: 'hello', group: client.group ?? '*' }))
      },
      message(ws, msg) {
        const client = clients.get(ws.id)
        if (client) client.group = msg.subscribe === '*' ? undefined : msg.subscribe
        ws.send(JSON.stringify({ type: 'subscribed', group: msg.subscribe }))
      },
      close(ws) {
        clients.delete(ws.id)
      },
    })
    .ws('/ws/ui', {
      query: UiQuery,
      beforeHandle: checkOrigin,
      open(ws) {
        const filter: LiveFilter = { view: ws.data.query.view as LiveView, group: ws.data.query.group }
        clients.set(ws.id, {
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
  return { app, clientCount: () => clients.size, stop: unsubscribeBus }
}
