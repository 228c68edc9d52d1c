/**
 * The dashboard path's own latency, without a container: a browser-like client posts a chat
 * message (form POST, cookie + CSRF, as htmx does) to a real `startWebServer` over the real
 * pipeline (web channel → inbound → queue → delivery) whose runner answers at once; the reply comes
 * back as the chat-log fragment of its message.out on /ws/ui. Reports p50/p90 of
 *   - handover: POST handler entered → message handed to the pipeline (stored, queued),
 *   - push: message.out published on the bus → WebSocket frame sent,
 *   - roundTrip: client sends the POST → client receives the reply frame (everything but the agent).
 * Prints one JSON line. Usage: bun bench/web-latency.ts [--messages 20]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCore, createRuntime, startWebServer } from '../src/app.ts'
import { loadConfig } from '../src/config/load.ts'
import type { AgentRunner, TurnOutcome } from '../src/core/runner/types.ts'

const i = process.argv.indexOf('--messages')
const MESSAGES = i === -1 ? 20 : Number(process.argv[i + 1])
const WARMUP = 3
const dataDir = mkdtempSync(join(tmpdir(), 'ngb-bench-web-'))
const password = 'bench-password-1'

/** Answers every turn at once with one result quoting the message marker. */
const runner: AgentRunner = {
  start(req) {
    const runId = `bench-${Math.random().toString(36).slice(2)}`
    const marker = /m-\d+/.exec(req.prompt)?.[0] ?? '?'
    let resolve: (o: TurnOutcome) => void = () => {}
    const done = new Promise<TurnOutcome>((r) => {
      resolve = r
    })
    queueMicrotask(() => {
      req.onFrame?.({ type: 'result', text: `reply ${marker}` })
      resolve({ runId, status: 'ok', results: [`reply ${marker}`] })
    })
    return { runId, containerName: runId, sendFollowUp: () => false, close() {}, kill: async () => {}, done }
  },
}

const loaded = loadConfig({
  env: { NGB_DATA_DIR: dataDir, NGB_WEB_PORT: '0', NGB_ADMIN_PASSWORD: password, NGB_LOG_LEVEL: 'error' },
})
const rt = createRuntime({ loaded, consoleStream: null })
const core = createCore(rt, { runner, removeOrphans: async () => 0 })
await core.orchestrator.start()
const handover: number[] = []
const push: number[] = []
const web = await startWebServer(rt, Date.now(), {
  loaded,
  bus: core.bus,
  core,
  probes: {
    chatHandedOver: (ms) => handover.push(ms),
    frameSent: (e, ms) => {
      if (e.type === 'message.out') push.push(ms)
    },
  },
})

const login = await fetch(`${web.url}/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'admin', password }),
})
const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? ''
const page = await (await fetch(`${web.url}/`, { headers: { cookie } })).text()
const csrf = /X-CSRF-Token&#34;:&#34;([^&]+)&#34;/.exec(page)?.[1] ?? ''
const json = { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }
await fetch(`${web.url}/api/groups`, {
  method: 'POST',
  headers: json,
  body: JSON.stringify({ folder: 'main', name: 'Main' }),
})

const ws = new WebSocket(`${web.url.replace('http', 'ws')}/ws/ui?view=group&group=main`, {
  headers: { cookie, origin: web.url },
} as unknown as string[])
await new Promise((r) => ws.addEventListener('open', r, { once: true }))
const waiting = new Map<string, (t: number) => void>()
ws.addEventListener('message', (m) => {
  const t = performance.now()
  const marker = /reply (m-\d+)/.exec(String(m.data))?.[1]
  if (marker && String(m.data).includes('#chat-log')) waiting.get(marker)?.(t)
})

const roundTrip: number[] = []
for (let n = 0; n < WARMUP + MESSAGES; n++) {
  const marker = `m-${n}`
  const received = new Promise<number>((r) => waiting.set(marker, r))
  const t0 = performance.now()
  const res = await fetch(`${web.url}/groups/main/chat`, {
    method: 'POST',
    headers: {
      cookie,
      'x-csrf-token': csrf,
      'hx-request': 'true',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: `text=${encodeURIComponent(`hello ${marker}`)}`,
  })
  if (res.status !== 204) throw new Error(`chat POST answered ${res.status}: ${await res.text()}`)
  const t1 = await received
  if (n >= WARMUP) roundTrip.push(t1 - t0)
  // Let the turn end so the next message starts a fresh one (no follow-up path).
  const deadline = Date.now() + 5000
  while (core.orchestrator.queue.snapshot().active > 0) {
    if (Date.now() > deadline) throw new Error('the turn did not end')
    await Bun.sleep(1)
  }
}

// Baseline: the same loopback POST to a bare Bun.serve that answers 204 at once (HTTP floor).
const bare = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response(null, { status: 204 }) })
const bareFetch: number[] = []
for (let n = 0; n < WARMUP + MESSAGES; n++) {
  const t0 = performance.now()
  await fetch(`http://127.0.0.1:${bare.port}/`, { method: 'POST', body: `text=hello+m-${n}` })
  if (n >= WARMUP) bareFetch.push(performance.now() - t0)
}
await bare.stop(true)

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return Number((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN).toFixed(3))
}
const stats = (xs: number[]) => ({ n: xs.length, p50: pct(xs, 50), p90: pct(xs, 90), max: pct(xs, 100) })
process.stdout.write(
  `${JSON.stringify({
    bench: 'web-latency',
    unit: 'ms',
    handover: stats(handover.slice(WARMUP)),
    push: stats(push.slice(WARMUP)),
    roundTrip: stats(roundTrip),
    baselineBarePost: stats(bareFetch),
  })}\n`,
)
ws.close()
await web.stop()
await core.orchestrator.stop(2000)
rt.db.close()
rmSync(dataDir, { recursive: true, force: true })
