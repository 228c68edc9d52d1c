import { afterAll, beforeAll, describe, expect } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/open.ts'
import { createRepos } from '../../src/db/repos/index.ts'
import { buildTestImage } from '../../src/image/test-image.ts'
import { agentSandbox } from '../helpers/agent-image.ts'
import { compiledBinary } from '../helpers/binary.ts'
import { NGB_SOURCE, runNgb } from '../helpers/cli.ts'
import { docker, dockerTest, HAS_DOCKER } from '../helpers/docker.ts'
import { spawnNgb } from '../helpers/spawn-ngb.ts'
import { HAS_TMUX, startTmux } from '../helpers/tmux.ts'
import { waitFor } from '../helpers/wait.ts'

// Its own tag: worktrees sharing one engine rebuild `ngb-agent:test` from different agent code.
const IMAGE = 'ngb-agent:test-session'
const box = agentSandbox({ NGB_CONTAINER_IMAGE: IMAGE })
beforeAll(async () => {
  if (HAS_DOCKER) await buildTestImage({ cli: 'docker', tag: IMAGE })
})
afterAll(() => box.cleanup())

function ttyEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color' }
  for (const [k, v] of Object.entries(box.env)) if (v !== undefined) env[k] = v
  return env
}

/** `docker run`s of this install since `since` (engine events, so removed containers count too). */
function containersCreatedSince(since: number): string[] {
  const r = docker([
    'events',
    '--since',
    String(Math.floor(since / 1000)),
    '--until',
    String(Math.ceil(Date.now() / 1000) + 1),
    '--filter',
    `label=ngb.install=${box.installId}`,
    '--filter',
    'event=create',
    '--format',
    '{{.Actor.Attributes.name}}',
  ])
  return r.out.split('\n').filter(Boolean)
}

describe.skipIf(!HAS_TMUX)('ngb session with the mock agent in a real container, in a terminal', () => {
  dockerTest(
    'two turns in one container; Ctrl+C interrupts a /sleep turn and the container stays; /exit leaves none',
    async () => {
      expect((await runNgb(['groups', 'add', 'main'], { env: box.env })).code).toBe(0)
      const binary = compiledBinary()
      const since = Date.now() - 1000
      const t = startTmux([binary, 'session', 'main'], ttyEnv())
      try {
        await t.waitFor('/exit to leave')
        t.type('hello')
        t.keys('Enter')
        await t.waitFor('mock: hello', 30_000)
        t.type('again')
        t.keys('Enter')
        await t.waitFor('mock: again', 15_000)
        t.type('/status')
        t.keys('Enter')
        const status = await t.waitFor(/container: (ngb-main-\S+)/)
        const name = /container: (ngb-main-\S+)/.exec(status)?.[1]
        expect(containersCreatedSince(since)).toEqual([name ?? '?'])
        expect(box.leftovers()).toHaveLength(1)

        t.type('/sleep 60000')
        t.keys('Enter')
        await t.waitFor('agent:     working', 1000).catch(() => undefined)
        const pressed = performance.now()
        t.keys('C-c')
        await t.waitFor('interrupted: turn interrupted', 20_000)
        const interruptMs = performance.now() - pressed
        expect(interruptMs).toBeLessThan(10_000)
        expect(t.screen()).toContain('(interrupted; the agent is waiting for your next message)')
        expect(box.leftovers()).toHaveLength(1)

        t.type('after the interrupt')
        t.keys('Enter')
        await t.waitFor('mock: after the interrupt', 15_000)
        expect(containersCreatedSince(since)).toEqual([name ?? '?'])

        t.type('/exit')
        t.keys('Enter')
        expect(await t.exitCode(30_000)).toBe(0)
        expect(t.screen()).toMatch(/continue it with: ngb session resume \S+/)
      } finally {
        t.kill()
      }
      expect(box.leftovers()).toEqual([])
      const db = openDatabase(join(box.dataDir, 'ngb.db'))
      const repos = createRepos(db)
      const runs = repos.runs.list({ groupFolder: 'main' })
      const sessions = repos.sessions.list()
      db.close()
      expect(runs.map((r) => r.trigger)).toEqual(['cli'])
      expect(sessions.map((s) => [s.groupFolder, s.scope])).toEqual([['main', 'cli']])
    },
  )

  dockerTest(
    'session ls shows the live container and sessions; kill stops it and records it; resume continues',
    async () => {
      const since = Date.now() - 1000
      const t = startTmux([process.execPath, NGB_SOURCE, 'session', 'main'], ttyEnv())
      let sessionId = ''
      try {
        await t.waitFor('/exit to leave')
        t.type('/session')
        t.keys('Enter')
        const shown = await t.waitFor(/session (\S+) resumed=false/, 30_000)
        sessionId = /session (\S+) resumed=false/.exec(shown)?.[1] ?? ''
        t.type('/sleep 60000')
        t.keys('Enter')

        const ls = await runNgb(['session', 'ls', '--json'], { env: box.env })
        expect(ls.code).toBe(0)
        const listing = JSON.parse(ls.stdout) as {
          sessions: Array<{ groupFolder: string; scope: string; sessionId: string }>
          containers: Array<{ name: string; group: string; trigger: string; runId: string }>
        }
        expect(listing.sessions).toContainEqual(
          expect.objectContaining({ groupFolder: 'main', scope: 'cli', sessionId }),
        )
        expect(listing.containers).toHaveLength(1)
        expect(listing.containers[0]).toMatchObject({ group: 'main', trigger: 'cli' })
        const table = await runNgb(['session', 'ls'], { env: box.env })
        expect(table.stdout).toMatch(
          /CONTAINER\s+GROUP\s+TRIGGER\s+STATE\s+STARTED\nngb-main-\S+\s+main\s+cli\s+running/,
        )

        const killed = await runNgb(['session', 'kill', 'main'], { env: box.env })
        expect(killed).toMatchObject({ code: 0, stdout: `stopped ${listing.containers[0]?.name}\n` })
        await t.waitFor('the agent stopped', 20_000)
        expect(box.leftovers()).toEqual([])
        const log = readFileSync(join(box.dataDir, 'logs', 'ngb.log'), 'utf8')
        expect(log).toContain('"msg":"containers stopped by ngb session kill"')
        expect((await runNgb(['session', 'kill', 'main'], { env: box.env })).code).toBe(1)
        t.type('/exit')
        t.keys('Enter')
        expect(await t.exitCode(30_000)).toBe(0)
      } finally {
        t.kill()
      }

      const again = startTmux([process.execPath, NGB_SOURCE, 'session', 'resume', sessionId], ttyEnv())
      try {
        await again.waitFor(`resuming session ${sessionId}`)
        again.type('/session')
        again.keys('Enter')
        await again.waitFor(`session ${sessionId} resumed=true`, 30_000)
        again.type('/exit')
        again.keys('Enter')
        expect(await again.exitCode(30_000)).toBe(0)
      } finally {
        again.kill()
      }
      expect(box.leftovers()).toEqual([])
      expect(containersCreatedSince(since)).toHaveLength(2)
    },
  )

  dockerTest('with ngb serve running, the session goes through it (web chat + event stream)', async () => {
    const serve = spawnNgb(['serve', '--port', '0'], {
      env: { ...box.env, NGB_ADMIN_PASSWORD: 'test-admin-password' },
    })
    try {
      await waitFor(() => existsSync(join(box.dataDir, 'serve.json')), 'serve.json', 15_000)
      const r = await runNgb(['session', 'main'], {
        env: box.env,
        stdin: '/multi 2\n',
        timeoutMs: 45_000,
      })
      expect(r.code).toBe(0)
      expect(r.stderr).toContain('(through ngb serve at http://127.0.0.1:')
      const lines = r.stdout.split('\n')
      // Both parts, once each: results come only from the chat, and the end of input waits for the last.
      for (const line of ['part 1/2', 'part 2/2']) expect(lines.filter((l) => l === line)).toHaveLength(1)
      const db = openDatabase(join(box.dataDir, 'ngb.db'))
      const runs = createRepos(db).runs.list({ groupFolder: 'main' })
      db.close()
      // The server's queue ran the agent; the CLI started no container of its own.
      expect(runs[0]?.trigger).toBe('web')
    } finally {
      serve.proc.kill('SIGTERM')
    }
    expect(await serve.exited).toBe(0)
    expect(box.leftovers()).toEqual([])
  })
})
