import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dataPaths } from '../../src/config/paths.ts'
import { createEventBus } from '../../src/core/events.ts'
import { createGroupsService } from '../../src/core/groups.ts'
import { openDatabase } from '../../src/db/open.ts'
import { createRepos } from '../../src/db/repos/index.ts'
import { systemClock } from '../../src/util/clock.ts'
import { type LiveNgb, spawnNgb } from '../../test/helpers/spawn-ngb.ts'
import { type SoakChat, type SoakPlatform, startSoakPlatforms } from './platforms.ts'
import { createTracker, type Tracker } from './tracker.ts'

export interface SoakOptions {
  /** Wall time of the workload (the drain afterwards is extra). */
  minutes: number
  groups?: number
  /** Simulated users talking at the same time, each in a different group. */
  active?: number
  maxConcurrent?: number
  image: string
  /** Seconds a reply may take before its message counts as lost. */
  replyTimeoutS?: number
  /** Called every few seconds while the workload runs (faults hook in here). */
  onTick?: (ctx: { elapsedMs: number; platforms: SoakPlatform[] }) => void
  progress?: (line: string) => void
}

export interface SoakReport {
  minutes: number
  groups: number
  active: number
  maxConcurrent: number
  actions: Record<string, number>
  messages: {
    sent: number
    lost: number
    duplicated: number
    lostTokens: string[]
    duplicatedTokens: string[]
  }
  latencyMs: { p50: number; p99: number; max: number; n: number }
  rssMb: { start: number; end: number; max: number; growth: number }
  openFds: { start: number; end: number; max: number }
  containers: { maxRunning: number; orphansAfterExit: number }
  serveExitCode: number
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0
}

function procStat(pid: number): { rssMb: number; fds: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
    return { rssMb: Math.round(kb / 102.4) / 10, fds: readdirSync(`/proc/${pid}/fd`).length }
  } catch {
    return undefined
  }
}

function containersOf(installId: string, all: boolean): number {
  const r = Bun.spawnSync([
    'docker',
    'ps',
    ...(all ? ['-a'] : []),
    '-q',
    '--filter',
    `label=ngb.install=${installId}`,
  ])
  return r.stdout.toString().split('\n').filter(Boolean).length
}

interface Seeded {
  chats: SoakChat[]
  installId: string
}

function seed(dataDir: string, platforms: SoakPlatform[], groups: number): Seeded {
  const paths = dataPaths(dataDir)
  const db = openDatabase(paths.db)
  try {
    const repos = createRepos(db)
    const installId = `soak${crypto.randomUUID().slice(0, 6)}`
    repos.meta.set('install_id', installId)
    const svc = createGroupsService({
      repos,
      bus: createEventBus(),
      clock: systemClock,
      groupsDir: paths.groups,
    })
    svc.createGroup({ folder: 'admin' })
    const chats: SoakChat[] = []
    for (let i = 0; i < groups; i++) {
      const platform = platforms[i % platforms.length] as SoakPlatform
      const chat = platform.chat(i, i % 4 === 3)
      svc.createGroup({ folder: `soak-${i}`, triggerMode: chat.room ? 'mention' : 'always' })
      svc.bind(chat.jid, `soak-${i}`)
      chats.push(chat)
    }
    return { chats, installId }
  } finally {
    db.close()
  }
}

type Action = 'message' | 'followup' | 'task'

/** One user action in group `g`; returns the reply latencies, undefined where a reply never came. */
async function act(action: Action, g: number, chat: SoakChat, t: Tracker, timeoutMs: number) {
  const ask = async (text: (token: string) => string) => {
    const token = t.token(g)
    chat.inject(text(token))
    return t.waitFor(token, timeoutMs)
  }
  switch (action) {
    case 'message':
      return [await ask((k) => `hello ${k}`)]
    case 'followup': {
      const first = await ask((k) => `question ${k}`)
      return [first, await ask((k) => `and also ${k}`)]
    }
    case 'task':
      // The mock schedules it; the task's own run answers with the token in the chat.
      return [await ask((k) => `/task once now ${k}`)]
  }
}

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const groups = opts.groups ?? 200
  const active = Math.min(opts.active ?? 16, groups)
  const maxConcurrent = opts.maxConcurrent ?? 6
  const timeoutMs = (opts.replyTimeoutS ?? 120) * 1000
  const say = opts.progress ?? (() => {})
  const root = mkdtempSync(join(tmpdir(), 'ngb-soak-'))
  const dataDir = join(root, 'data')
  mkdirSync(join(root, 'home'), { recursive: true })
  const platforms = startSoakPlatforms()
  let serve: LiveNgb | undefined
  try {
    const { chats, installId } = seed(dataDir, platforms, groups)
    const env: Record<string, string | undefined> = {
      NGB_DATA_DIR: dataDir,
      HOME: join(root, 'home'),
      NGB_ADMIN_PASSWORD: 'soak-admin-password',
      NGB_AGENT_PROVIDER: 'mock',
      NGB_CONTAINER_IMAGE: opts.image,
      NGB_CONTAINER_NETWORK: 'none',
      NGB_CONTAINER_MEMORY: '256m',
      NGB_MAX_CONCURRENT: String(maxConcurrent),
      NGB_IDLE_TIMEOUT_MS: '5000',
      NGB_RETRY_BASE_MS: '500',
      NGB_LOG_LEVEL: 'warn',
      ANTHROPIC_API_KEY: undefined,
      CLAUDE_CODE_OAUTH_TOKEN: undefined,
    }
    for (const p of platforms) Object.assign(env, p.serveEnv)
    serve = spawnNgb(['serve', '--port', '0'], { env })
    const started = Date.now()
    while (!serve.stdout().includes('Dashboard:')) {
      if (Date.now() - started > 60_000)
        throw new Error(`ngb serve did not start:\n${serve.stderr().slice(-2000)}`)
      await Bun.sleep(50)
    }
    const pid = serve.proc.pid
    const tracker = createTracker(platforms)
    const actions: Record<Action, number> = { message: 0, followup: 0, task: 0 }
    const latencies: number[] = []
    const rss: number[] = []
    const fds: number[] = []
    let maxRunning = 0
    const t0 = Date.now()
    const end = t0 + opts.minutes * 60_000
    const busy = new Set<number>()
    let tick = 0
    const sampler = setInterval(() => {
      const s = procStat(pid)
      if (s) {
        rss.push(s.rssMb)
        fds.push(s.fds)
      }
      if (tick++ % 3 === 0) maxRunning = Math.max(maxRunning, containersOf(installId, false))
      opts.onTick?.({ elapsedMs: Date.now() - t0, platforms })
      const tot = tracker.totals()
      say(
        `t=${Math.round((Date.now() - t0) / 1000)}s sent=${tot.sent} unanswered=${tot.lost} dup=${tot.duplicated} rss=${s?.rssMb}MB fds=${s?.fds}`,
      )
    }, 5000)

    const worker = async (w: number) => {
      let n = w
      while (Date.now() < end) {
        // Walk the groups so all of them take part, skipping any another user is in.
        n = (n + active) % groups
        while (busy.has(n)) n = (n + 1) % groups
        busy.add(n)
        const chat = chats[n] as SoakChat
        const roll = (n * 7 + Date.now()) % 10
        const action: Action = chat.room ? 'message' : roll < 5 ? 'message' : roll < 8 ? 'followup' : 'task'
        actions[action]++
        for (const ms of await act(action, n, chat, tracker, timeoutMs))
          if (ms !== undefined) latencies.push(ms)
        busy.delete(n)
      }
    }
    await Promise.all(Array.from({ length: active }, (_, w) => worker(w)))
    clearInterval(sampler)
    // Late duplicates (a retried send) would arrive after the reply the worker waited for.
    await Bun.sleep(3000)
    const totals = tracker.totals()
    const last = procStat(pid)
    serve.proc.kill('SIGTERM')
    const serveExitCode = await Promise.race([serve.exited, Bun.sleep(30_000).then(() => -1)])
    const orphans = containersOf(installId, true)
    if (orphans > 0) {
      const ids = Bun.spawnSync([
        'docker',
        'ps',
        '-aq',
        '--filter',
        `label=ngb.install=${installId}`,
      ]).stdout.toString()
      Bun.spawnSync(['docker', 'rm', '-f', ...ids.split('\n').filter(Boolean)])
    }
    const steady = rss.slice(Math.min(2, rss.length - 1))
    return {
      minutes: opts.minutes,
      groups,
      active,
      maxConcurrent,
      actions,
      messages: totals,
      latencyMs: {
        p50: Math.round(percentile(latencies, 50)),
        p99: Math.round(percentile(latencies, 99)),
        max: Math.round(Math.max(0, ...latencies)),
        n: latencies.length,
      },
      rssMb: {
        start: steady[0] ?? 0,
        end: last?.rssMb ?? steady.at(-1) ?? 0,
        max: Math.max(0, ...rss),
        growth: Math.round(((last?.rssMb ?? 0) - (steady[0] ?? 0)) * 10) / 10,
      },
      openFds: { start: fds[0] ?? 0, end: last?.fds ?? 0, max: Math.max(0, ...fds) },
      containers: { maxRunning, orphansAfterExit: orphans },
      serveExitCode,
    }
  } finally {
    if (serve && serve.proc.exitCode === null) serve.proc.kill('SIGKILL')
    for (const p of platforms) await p.stop()
    rmSync(root, { recursive: true, force: true })
  }
}
