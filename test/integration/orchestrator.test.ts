/**
 * The pipeline end to end with real containers (ngb-agent:test, mock provider), driven through the
 * web channel: batching, follow-ups, the concurrency cap, retries, and crash recovery of `ngb serve`.
 */
import { afterAll, beforeAll, describe, expect } from 'bun:test'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Core, Runtime } from '../../src/app.ts'
import { createContainerRuntime, createCore, createRunner, createRuntime } from '../../src/app.ts'
import { loadConfig } from '../../src/config/load.ts'
import { removeOrphans } from '../../src/core/container/orphans.ts'
import type { NgbEvent } from '../../src/core/events.ts'
import { createEventBus } from '../../src/core/events.ts'
import { createGroupsService } from '../../src/core/groups.ts'
import { openDatabase } from '../../src/db/open.ts'
import { createRepos } from '../../src/db/repos/index.ts'
import { buildTestImage } from '../../src/image/test-image.ts'
import { type AgentSandbox, agentSandbox } from '../helpers/agent-image.ts'
import { NGB_SOURCE } from '../helpers/cli.ts'
import { docker, dockerTest, HAS_DOCKER } from '../helpers/docker.ts'
import { recordEvents } from '../helpers/events.ts'
import { waitFor } from '../helpers/wait.ts'

// Its own tag, built from the same source: other checkouts on a shared engine rebuild
// ngb-agent:test from their own agent-runner, which must not swap the image under these tests.
const IMAGE = 'ngb-agent:test-orchestrator'
beforeAll(async () => {
  if (HAS_DOCKER) await buildTestImage({ cli: 'docker', tag: IMAGE })
}, 300_000)

const sandboxes: AgentSandbox[] = []
afterAll(() => {
  for (const s of sandboxes) s.cleanup()
})

interface Harness {
  rt: Runtime
  core: Core
  events: NgbEvent[]
  replies(group?: string): string[]
  waitFor(pred: (e: NgbEvent) => boolean, timeoutMs?: number): Promise<NgbEvent>
  stop(): Promise<void>
}

async function startCore(
  sandbox: AgentSandbox,
  overrides: Record<string, string | number>,
): Promise<Harness> {
  const loaded = loadConfig({ env: sandbox.env, overrides })
  const rt = createRuntime({ loaded, consoleStream: process.env.E2E_LOG ? process.stderr : null })
  const bus = createEventBus()
  const {
    events,
    waitFor,
    outTexts: replies,
  } = recordEvents(bus, {
    defaultTimeoutMs: 30_000,
    describeTimeout: () => `replies so far: ${JSON.stringify(replies())}`,
  })
  const runtime = createContainerRuntime(rt)
  const core = createCore(rt, {
    bus,
    runner: createRunner(rt, { runtime, bus }),
    removeOrphans: async () => (await removeOrphans(runtime, rt.installId)).length,
  })
  await core.orchestrator.start()
  return {
    rt,
    core,
    events,
    replies,
    waitFor,
    async stop() {
      await core.orchestrator.stop(15_000)
      await rt.shutdown.run('test done')
    },
  }
}

const until = (what: string, check: () => boolean, timeoutMs = 30_000) => waitFor(check, what, timeoutMs, 50)

const reply = (text: string) => (e: NgbEvent) => e.type === 'message.out' && e.message.text === text
const runningContainers = (installId: string) =>
  docker(['ps', '-q', '--filter', `label=ngb.install=${installId}`])
    .out.split('\n')
    .filter(Boolean).length

describe('orchestrator with real containers', () => {
  dockerTest(
    'three quick messages make one run holding all three; a message during the run is a follow-up; replies in order',
    async () => {
      const sandbox = agentSandbox({ NGB_CONTAINER_IMAGE: IMAGE })
      sandboxes.push(sandbox)
      const h = await startCore(sandbox, { idleTimeoutMs: 60_000 })
      try {
        h.core.groups.createGroup({ folder: 'main' })
        // Posted back to back: whatever the container has not taken yet joins its first prompt.
        await h.core.web.post('main', 'one')
        await h.core.web.post('main', 'two')
        await h.core.web.post('main', '/sleep 1500 three')
        // The mock answers the last <message> of its prompt: one answer means one prompt held all three.
        await h.waitFor((e) => e.type === 'run.started')
        // Once the agent has taken its input (and sleeps on "three"), the next message is a follow-up.
        const inputDir = join(h.rt.paths.ipc, 'main', 'input')
        await until(
          'the agent to take its input',
          () => !readdirSync(inputDir).some((n) => n.endsWith('.json')),
        )
        await h.core.web.post('main', 'four')
        await h.waitFor(reply('mock: four'))
        expect(h.replies('main')).toEqual(['mock: three', 'mock: four'])
        expect(h.rt.repos.runs.list({ groupFolder: 'main' })).toHaveLength(1)
      } finally {
        await h.stop()
      }
      expect(sandbox.leftovers()).toEqual([])
    },
    60_000,
  )

  dockerTest(
    'with the cap at 2, six groups messaged at once never run more than 2 containers, and all six answer',
    async () => {
      const sandbox = agentSandbox({ NGB_CONTAINER_IMAGE: IMAGE })
      sandboxes.push(sandbox)
      const h = await startCore(sandbox, { maxConcurrent: 2, idleTimeoutMs: 60_000 })
      const folders = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6']
      let maxRunning = 0
      let sampling = true
      const sampler = (async () => {
        while (sampling) {
          maxRunning = Math.max(maxRunning, runningContainers(sandbox.installId))
          await Bun.sleep(100)
        }
      })()
      try {
        for (const f of folders) h.core.groups.createGroup({ folder: f, triggerMode: 'always' })
        await Promise.all(folders.map((f) => h.core.web.post(f, `/sleep 300 hi ${f}`)))
        for (const f of folders) await h.waitFor(reply(`mock: hi ${f}`), 60_000)
      } finally {
        sampling = false
        await sampler
        await h.stop()
      }
      expect(maxRunning).toBeGreaterThanOrEqual(1)
      expect(maxRunning).toBeLessThanOrEqual(2)
      expect(h.replies().sort()).toEqual(folders.map((f) => `mock: hi ${f}`).sort())
      expect(sandbox.leftovers()).toEqual([])
    },
    120_000,
  )

  dockerTest(
    '/fail is retried with backoff, then the chat is told the run failed',
    async () => {
      const sandbox = agentSandbox({ NGB_CONTAINER_IMAGE: IMAGE })
      sandboxes.push(sandbox)
      const h = await startCore(sandbox, { retryBaseMs: 300, maxRetries: 2 })
      try {
        h.core.groups.createGroup({ folder: 'main' })
        await h.core.web.post('main', '/fail')
        const notice = await h.waitFor(
          (e) => e.type === 'message.out' && e.message.text.startsWith('Sorry'),
          60_000,
        )
        expect(notice.type === 'message.out' && notice.message.text).toContain('failed 3 times')
        const runs = h.rt.repos.runs.list({ groupFolder: 'main' }).sort((a, b) => a.startedAt - b.startedAt)
        expect(runs.map((r) => r.status)).toEqual(['error', 'error', 'error'])
        // Backoff 300 ms, then 600 ms, between the end of one attempt and the start of the next.
        const gaps = runs.slice(1).map((r, i) => r.startedAt - (runs[i]?.finishedAt ?? 0))
        expect(gaps[0]).toBeGreaterThanOrEqual(290)
        expect(gaps[1]).toBeGreaterThanOrEqual(590)
        expect(h.replies('main')).toHaveLength(1)
      } finally {
        await h.stop()
      }
    },
    90_000,
  )
})

describe('crash recovery of ngb serve', () => {
  dockerTest(
    'SIGKILL during a run, then a restart: the message is answered exactly once and no container is left',
    async () => {
      const sandbox = agentSandbox({ NGB_CONTAINER_IMAGE: IMAGE })
      sandboxes.push(sandbox)
      const env: Record<string, string> = {}
      for (const [k, v] of Object.entries({
        ...process.env,
        ...sandbox.env,
        NGB_ADMIN_PASSWORD: 'test-password-1',
      }))
        if (v !== undefined) env[k] = v
      const dbPath = join(sandbox.dataDir, 'ngb.db')
      {
        // The message is already stored when serve starts: start-up recovery must pick it up.
        const db = openDatabase(dbPath)
        const repos = createRepos(db)
        const groups = createGroupsService({
          repos,
          bus: createEventBus(),
          clock: { now: () => Date.now() },
          groupsDir: join(sandbox.dataDir, 'groups'),
        })
        groups.createGroup({ folder: 'main' })
        groups.bind('web:main', 'main')
        repos.messages.insert({
          chatJid: 'web:main',
          id: 'm1',
          senderJid: 'web:admin',
          senderName: 'admin',
          text: '/sleep 4000 survive this',
          ts: Date.now(),
          fromBot: false,
          isGroup: false,
          mentionsBot: true,
          // As the inbound trigger step had marked it before the crash.
          triggers: true,
        })
        db.close()
      }
      const serve = () =>
        Bun.spawn([process.execPath, NGB_SOURCE, 'serve', '--port', '0'], {
          env,
          stdout: 'ignore',
          stderr: 'pipe',
        })
      const botReplies = () => {
        const db = openDatabase(dbPath)
        try {
          return createRepos(db)
            .messages.page('web:main')
            .filter((m) => m.fromBot)
            .map((m) => m.text)
        } finally {
          db.close()
        }
      }

      const first = serve()
      await until('the container of the first serve', () => runningContainers(sandbox.installId) > 0)
      first.kill('SIGKILL')
      await first.exited
      expect(botReplies()).toEqual([])

      const second = serve()
      try {
        await until('the answer after restart', () => botReplies().length > 0, 45_000)
      } finally {
        second.kill('SIGTERM')
      }
      expect(await second.exited).toBe(0)
      expect(botReplies()).toEqual(['mock: survive this'])
      await until('no container left', () => sandbox.leftovers().length === 0, 20_000)
    },
    120_000,
  )
})
