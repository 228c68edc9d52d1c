import * as v from 'valibot'
import { NgbError } from '../../core/errors.ts'
import type { AgentRunner, TurnOutcome } from '../../core/runner/types.ts'
import type { OutputFrame } from '../../protocol/container.ts'
import { OutputFrameSchema } from '../../protocol/container.ts'
import type { Clock, TimerHandle } from '../../util/clock.ts'
import { systemClock } from '../../util/clock.ts'

const EventSchema = v.variant('type', [
  v.looseObject({
    type: v.literal('message.out'),
    message: v.looseObject({ chatJid: v.string(), text: v.string() }),
  }),
  v.looseObject({ type: v.literal('run.finished'), group: v.string() }),
  v.looseObject({ type: v.literal('run.activity'), group: v.string(), frame: OutputFrameSchema }),
  v.looseObject({ type: v.literal('hello') }),
])

export interface RemoteRunnerDeps {
  url: string
  token: string
  folder: string
  fetch?: typeof fetch
  /** After the last answer, how long a graceful close waits for more (default 1000 ms). */
  quietMs?: number
  /** Times the quiet wait (tests pass a manual clock). */
  clock?: Clock
}

interface RemoteTurn {
  onFrame?: (frame: OutputFrame) => void
  reply(text: string): void
  /** The server's run ended: nothing more will come for what was sent. */
  settled(): void
  end(outcome: Partial<TurnOutcome>): void
}

export interface RemoteRunner extends AgentRunner {
  close(): void
}

/**
 * `ngb session` while `ngb serve` runs on the same data dir: instead of starting a second container
 * for the group (racing the server's queue for the same IPC directory), each line is posted as the
 * group's dashboard chat (`POST /api/groups/<folder>/messages`) and the agent's output comes back on
 * the server's event stream (`/ws?group=<folder>`). The server decides containers and follow-ups;
 * a turn cannot be interrupted from here (the API has no stop for a run).
 */
export async function connectRemoteRunner(deps: RemoteRunnerDeps): Promise<RemoteRunner> {
  const doFetch = deps.fetch ?? fetch
  const clock = deps.clock ?? systemClock
  const chatJid = `web:${deps.folder}`
  const wsUrl = `${deps.url.replace(/^http/, 'ws')}/ws?group=${encodeURIComponent(deps.folder)}`
  // Bun's WebSocket takes headers: the bearer token authenticates the upgrade.
  const ws = new WebSocket(wsUrl, {
    headers: { authorization: `Bearer ${deps.token}` },
  } as unknown as string[])
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new NgbError('not_found', `no answer from ${wsUrl}`)), 5000)
    ws.addEventListener(
      'message',
      () => {
        clearTimeout(timer)
        resolve()
      },
      { once: true },
    )
    ws.addEventListener(
      'error',
      () => {
        clearTimeout(timer)
        reject(new NgbError('unauthorized', `cannot open the event stream of ngb serve at ${wsUrl}`))
      },
      { once: true },
    )
  })

  let current: RemoteTurn | undefined
  ws.addEventListener('message', (msg) => {
    const parsed = v.safeParse(EventSchema, JSON.parse(String(msg.data)))
    if (!parsed.success || !current) return
    const e = parsed.output
    // What the group's dashboard chat receives is the reply: results, and failure notices too.
    if (e.type === 'message.out' && e.message.chatJid === chatJid) current.reply(e.message.text)
    // run.activity carries every frame; results are shown from message.out (what the chat got),
    // their usage as a `usage` activity frame (the session's /usage counts it, nothing is printed).
    else if (e.type === 'run.activity' && e.group === deps.folder) {
      const f = e.frame
      if (f.type === 'activity' || f.type === 'error') current.onFrame?.(f)
      else if (f.type === 'result' && f.usage)
        current.onFrame?.({ type: 'activity', kind: 'usage', summary: 'usage of a turn', usage: f.usage })
    } else if (e.type === 'run.finished' && e.group === deps.folder) current.settled()
  })
  let gone = false
  ws.addEventListener('close', () => {
    gone = true
    current?.end({ status: 'error', error: 'ngb serve closed the event stream (stopped?)' })
  })

  async function post(text: string): Promise<void> {
    const res = await doFetch(`${deps.url}/api/groups/${encodeURIComponent(deps.folder)}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${deps.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    })
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { message?: string }
      throw new NgbError('invalid_input', body.message ?? `ngb serve answered ${res.status}`)
    }
  }

  let n = 0
  return {
    start(req) {
      if (gone)
        throw new NgbError('not_found', 'ngb serve is gone; leave with /exit and start ngb session again')
      const runId = `serve-${++n}`
      let finished = false
      let resolveDone: (o: TurnOutcome) => void = () => {}
      const done = new Promise<TurnOutcome>((r) => {
        resolveDone = r
      })
      // Sent but not answered yet: a graceful close waits for the answer, then for a quiet moment
      // (an answer may come in several messages), or for the server's run to end.
      let awaiting = false
      let closing = false
      let quiet: TimerHandle | undefined
      const endWhenQuiet = () => {
        if (quiet) clock.clearTimeout(quiet)
        if (closing && !awaiting) quiet = clock.setTimeout(() => turn.end({}), deps.quietMs ?? 1000)
      }
      const turn: RemoteTurn = {
        onFrame: req.onFrame,
        reply(text) {
          awaiting = false
          req.onFrame?.({ type: 'result', text })
          endWhenQuiet()
        },
        settled() {
          awaiting = false
          if (closing) turn.end({})
        },
        end(o: Partial<TurnOutcome>) {
          if (quiet) clock.clearTimeout(quiet)
          if (finished) return
          finished = true
          if (current === turn) current = undefined
          resolveDone({ runId, status: 'ok', results: [], ...o })
        },
      }
      current = turn
      const send = (text: string) => {
        awaiting = true
        return post(text).catch((error: unknown) =>
          req.onFrame?.({
            type: 'error',
            kind: 'input',
            message: error instanceof Error ? error.message : String(error),
          }),
        )
      }
      void send(req.prompt)
      return {
        runId,
        containerName: `(run by ngb serve at ${deps.url})`,
        sendFollowUp(text) {
          if (finished) return false
          void send(text)
          return true
        },
        close() {
          closing = true
          endWhenQuiet()
        },
        kill: async () => turn.end({ status: 'error', error: 'left to ngb serve' }),
        done,
      }
    },
    close: () => ws.close(),
  }
}
