import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dataPaths } from '../../../src/config/paths.ts'
import { createEventBus } from '../../../src/core/events.ts'
import { createGroupsService } from '../../../src/core/groups.ts'
import { openDatabase } from '../../../src/db/open.ts'
import { createRepos } from '../../../src/db/repos/index.ts'
import { systemClock } from '../../../src/util/clock.ts'
import { startTelegramFake, type TelegramFake } from '../../fakes/telegram.ts'
import { docker } from '../../helpers/docker.ts'
import { type LiveNgb, spawnNgb } from '../../helpers/spawn-ngb.ts'
import { waitFor } from '../../helpers/wait.ts'

const user = { id: 4242, first_name: 'Ann', username: 'ann' }

/**
 * A real `ngb serve` on a data dir of its own, `groups` Telegram direct chats bound to groups
 * g0…gN, the Telegram wire fake, and the real mock-agent containers (found by install id).
 */
export interface FaultServe {
  dataDir: string
  installId: string
  tg: TelegramFake
  serve(): LiveNgb
  /** Starts (or restarts) serve and waits for its dashboard line. */
  start(extraEnv?: Record<string, string | undefined>): Promise<LiveNgb>
  /** SIGKILL: no shutdown code runs, as with an OOM kill or a power cut. */
  kill(): Promise<void>
  /** SIGTERM and the exit code. */
  stop(): Promise<number>
  jid(i: number): string
  inject(i: number, text: string): void
  /** Accepted messages to chat i, in order. */
  replies(i: number): string[]
  /** Resolves with the replies to chat i once `pred` holds for them. */
  waitReplies(i: number, pred: (r: string[]) => boolean, what: string, timeoutMs?: number): Promise<string[]>
  containers(all?: boolean): string[]
  /** SIGKILLs serve if running, removes leftover containers and the dirs. */
  cleanup(): Promise<void>
}

export function faultServe(opts: {
  image: string
  groups?: number
  env?: Record<string, string | undefined>
  /** Put the data dir here (e.g. on a small tmpfs) instead of a fresh temp dir. */
  dataDir?: string
  docker?: (args: string[]) => { code: number; out: string; err: string }
}): FaultServe {
  const root = mkdtempSync(join(tmpdir(), 'ngb-fault-'))
  const dataDir = opts.dataDir ?? join(root, 'data')
  mkdirSync(join(root, 'home'), { recursive: true })
  const tg = startTelegramFake()
  const installId = `fault${crypto.randomUUID().slice(0, 6)}`
  const run = opts.docker ?? docker
  const db = openDatabase(dataPaths(dataDir).db)
  try {
    const repos = createRepos(db)
    repos.meta.set('install_id', installId)
    const groups = createGroupsService({
      repos,
      bus: createEventBus(),
      clock: systemClock,
      groupsDir: dataPaths(dataDir).groups,
    })
    groups.createGroup({ folder: 'admin' })
    for (let i = 0; i < (opts.groups ?? 1); i++) {
      groups.createGroup({ folder: `g${i}`, triggerMode: 'always' })
      groups.bind(`telegram:${10_000 + i}`, `g${i}`)
    }
  } finally {
    db.close()
  }
  let live: LiveNgb | undefined
  const replies = (i: number) =>
    tg.calls.calls
      .filter((c) => c.method === 'sendMessage' && c.status === 200 && c.body.chat_id === 10_000 + i)
      .map((c) => String(c.body.text))
  const containers = (all = false) =>
    run(['ps', ...(all ? ['-a'] : []), '-q', '--filter', `label=ngb.install=${installId}`])
      .out.split('\n')
      .filter(Boolean)
  return {
    dataDir,
    installId,
    tg,
    serve() {
      if (!live) throw new Error('serve is not running')
      return live
    },
    async start(extraEnv = {}) {
      live = spawnNgb(['serve', '--port', '0'], {
        env: {
          NGB_DATA_DIR: dataDir,
          HOME: join(root, 'home'),
          NGB_ADMIN_PASSWORD: 'fault-admin-password',
          NGB_AGENT_PROVIDER: 'mock',
          NGB_CONTAINER_IMAGE: opts.image,
          NGB_CONTAINER_NETWORK: 'none',
          NGB_CONTAINER_MEMORY: '256m',
          NGB_RETRY_BASE_MS: '500',
          NGB_IDLE_TIMEOUT_MS: '2000',
          TELEGRAM_BOT_TOKEN: tg.token,
          TELEGRAM_API_ROOT: tg.apiRoot,
          ANTHROPIC_API_KEY: undefined,
          CLAUDE_CODE_OAUTH_TOKEN: undefined,
          ...opts.env,
          ...extraEnv,
        },
      })
      const proc = live
      await waitFor(
        () => proc.stdout().includes('Dashboard:') || proc.proc.exitCode !== null,
        'ngb serve to start',
        60_000,
      )
      if (proc.proc.exitCode !== null) throw new Error(`serve exited ${proc.proc.exitCode}: ${proc.stderr()}`)
      return proc
    },
    async kill() {
      const proc = live
      live = undefined
      proc?.proc.kill('SIGKILL')
      await proc?.exited
    },
    async stop() {
      const proc = live
      live = undefined
      proc?.proc.kill('SIGTERM')
      return (await proc?.exited) ?? -1
    },
    jid: (i) => `telegram:${10_000 + i}`,
    inject(i, text) {
      tg.injectMessage({ chat: { id: 10_000 + i, type: 'private', first_name: 'Ann' }, from: user, text })
    },
    replies,
    waitReplies: (i, pred, what, timeoutMs = 30_000) =>
      waitFor(() => (pred(replies(i)) ? replies(i) : undefined), what, timeoutMs, 25),
    containers,
    async cleanup() {
      if (live) await this.kill()
      const left = containers(true)
      if (left.length) run(['rm', '-f', ...left])
      await tg.stop()
      rmSync(root, { recursive: true, force: true })
    },
  }
}

/** How often `token` occurs across `texts`. */
export const occurrences = (texts: string[], token: string) =>
  texts.reduce((n, t) => n + (t.split(token).length - 1), 0)
