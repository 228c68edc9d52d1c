/**
 * The agent is untrusted (docs/security.md). This suite does what the probe of issue #12 did:
 * from inside a real mock-agent container of a non-main group (docker exec, as a prompt-injected
 * agent could with its Bash tool) it plants links to host files and directories, a FIFO, a hard
 * link and a directory where a file belongs; then the group runs again, the admin reads and saves
 * its memory through the API and deletes the group. Nothing outside the data dir may have been
 * read, written, moved, deleted or chowned.
 */
import { afterAll, beforeAll, describe, expect } from 'bun:test'
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { WebServer } from '../../src/app.ts'
import {
  createContainerRuntime,
  createCore,
  createRunner,
  createRuntime,
  startWebServer,
} from '../../src/app.ts'
import { loadConfig } from '../../src/config/load.ts'
import { removeOrphans } from '../../src/core/container/orphans.ts'
import type { NgbEvent } from '../../src/core/events.ts'
import { createEventBus } from '../../src/core/events.ts'
import { createAuthService } from '../../src/web/auth/auth-service.ts'
import { createLoginThrottle } from '../../src/web/auth/throttle.ts'
import { type AgentSandbox, agentSandbox, ensureTestImage } from '../helpers/agent-image.ts'
import { docker, dockerTest, HAS_DOCKER } from '../helpers/docker.ts'
import { recordEvents } from '../helpers/events.ts'
import { tempDir } from '../helpers/temp.ts'
import { waitFor } from '../helpers/wait.ts'

let image = 'ngb-agent:test'
beforeAll(async () => {
  if (HAS_DOCKER) image = await ensureTestImage()
}, 300_000)

const sandboxes: AgentSandbox[] = []
afterAll(() => {
  for (const s of sandboxes) s.cleanup()
})

const SECRET = 'ROOT-ONLY-SECRET-do-not-leak'

interface Seen {
  type: string
  mode: number
  uid: number
  gid: number
  mtimeMs: number
  content?: string
}

/** Every entry of the victim tree: type, mode, owner, mtime and content (lstat: links as links). */
function snapshot(root: string): Record<string, Seen> {
  const out: Record<string, Seen> = {}
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name)
      const st = lstatSync(p)
      const type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'link' : 'other'
      out[p] = { type, mode: st.mode, uid: st.uid, gid: st.gid, mtimeMs: st.mtimeMs }
      if (type === 'file') out[p] = { ...out[p], type, content: readFileSync(p, 'utf8') } as Seen
      if (type === 'dir') walk(p)
    }
  }
  walk(root)
  return out
}

/** Root-owned, 0600 victims outside the data dir: the targets of everything the agent plants. */
function makeVictims(): string {
  const v = tempDir('ngb-victim-')
  const file = (rel: string, text: string) => {
    writeFileSync(join(v, rel), text)
    chmodSync(join(v, rel), 0o600)
  }
  for (const d of ['input', 'messages', 'logs']) {
    mkdirSync(join(v, d))
    chmodSync(join(v, d), 0o700)
  }
  file('input/keep', 'input victim')
  file(
    'messages/0000000000001-evil.json',
    JSON.stringify({ type: 'message', chatJid: 'web:main', text: 'pwned' }),
  )
  file('logs/old.log', 'log victim')
  file('secret', SECRET)
  file('tasks-target', 'tasks victim')
  file('groups-target', 'groups victim')
  file('memory-tmp', 'memory tmp victim')
  return v
}

/** Runs JS inside the container as its (unprivileged) user: the image has bun but no shell. */
function inContainer(name: string, script: string) {
  const r = docker(['exec', name, '/usr/local/bin/bun', '-e', script])
  if (r.code !== 0) throw new Error(`docker exec failed: ${r.err}`)
  return r.out
}

function safeCount(dir: string): number {
  try {
    return readdirSync(dir).length
  } catch {
    return 0
  }
}

function plantScript(v: string): string {
  return `
const fs = require('node:fs')
const { dlopen, FFIType } = require('bun:ffi')
const libc = dlopen('libc.so.6', { mkfifo: { args: [FFIType.cstring, FFIType.u32], returns: FFIType.i32 } })
const link = (target, path) => { fs.rmSync(path, { recursive: true, force: true }); fs.symlinkSync(target, path) }
link(${JSON.stringify(join(v, 'input'))}, '/workspace/ipc/input')
link(${JSON.stringify(join(v, 'messages'))}, '/workspace/ipc/messages')
link(${JSON.stringify(join(v, 'tasks-target'))}, '/workspace/ipc/current_tasks.json.tmp')
link(${JSON.stringify(join(v, 'tasks-target'))}, '/workspace/ipc/current_tasks.json')
link(${JSON.stringify(join(v, 'groups-target'))}, '/workspace/ipc/available_groups.json')
link(${JSON.stringify(join(v, 'logs'))}, '/workspace/group/logs')
link(${JSON.stringify(join(v, 'secret'))}, '/workspace/group/CLAUDE.md')
link(${JSON.stringify(join(v, 'memory-tmp'))}, '/workspace/group/CLAUDE.md.tmp')
if (libc.symbols.mkfifo(Buffer.from('/workspace/ipc/tasks/0000000000002-fifo.json\\0'), 0o644) !== 0) throw new Error('mkfifo')
fs.mkdirSync('/workspace/ipc/tasks/0000000000003-dir.json')
fs.writeFileSync('/workspace/ipc/keep.txt', 'agent file, not json')
fs.linkSync('/workspace/ipc/keep.txt', '/workspace/ipc/tasks/0000000000004-hard.json')
fs.writeFileSync('/workspace/ipc/tasks/0000000000005-big.json', 'x'.repeat(200000))
console.log('planted')
`
}

/** ngb as `serve` runs it (real containers, IPC watcher, dashboard API), with an API token. */
async function startStack(overrides: Record<string, string | number> = {}) {
  const sandbox = agentSandbox({ NGB_CONTAINER_IMAGE: image })
  sandboxes.push(sandbox)
  const loaded = loadConfig({
    env: sandbox.env,
    overrides: { idleTimeoutMs: 60_000, webPort: 0, maxRetries: 0, ...overrides },
  })
  const rt = createRuntime({ loaded, consoleStream: process.env.E2E_LOG ? process.stderr : null })
  const containers = createContainerRuntime(rt)
  const bus = createEventBus()
  const core = createCore(rt, {
    bus,
    runner: createRunner(rt, { runtime: containers, bus }),
    removeOrphans: async () => (await removeOrphans(containers, rt.installId)).length,
  })
  const rec = recordEvents(core.bus, { defaultTimeoutMs: 30_000 })
  const web: WebServer = await startWebServer(rt, Date.now(), { loaded, bus: core.bus, core })
  await core.orchestrator.start()
  core.tasks.start()
  const auth = createAuthService({
    users: rt.repos.users,
    sessions: rt.repos.webSessions,
    apiTokens: rt.repos.apiTokens,
    meta: rt.repos.meta,
    throttle: createLoginThrottle({ now: Date.now }),
    now: Date.now,
  })
  const { token } = auth.createApiToken('security-suite')
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${web.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    })
  const containersOf = (folder: string) =>
    docker([
      'ps',
      '-q',
      '--filter',
      `label=ngb.install=${sandbox.installId}`,
      '--filter',
      `label=ngb.group=${folder}`,
    ])
      .out.split('\n')
      .filter(Boolean)
  return {
    sandbox,
    rt,
    core,
    rec,
    api,
    containersOf,
    async stop() {
      await core.orchestrator.stop(15_000)
      await core.tasks.stop()
      await web.stop()
      await rt.shutdown.run('test done')
    },
  }
}

describe('the agent is untrusted', () => {
  dockerTest(
    'links, a FIFO, a hard link and a directory planted by a non-main agent touch nothing outside the data dir',
    async () => {
      const victims = makeVictims()
      const before = snapshot(victims)
      const stack = await startStack()
      const { rt, core, rec, api, sandbox } = stack
      try {
        core.groups.createGroup({ folder: 'main' })
        core.groups.createGroup({ folder: 'evil', triggerMode: 'always' })
        // Run 1: the agent sleeps while "its Bash tool" plants everything.
        await core.web.post('evil', '/sleep 60000 first')
        const name = await waitFor(
          () =>
            docker([
              'ps',
              '-q',
              '--filter',
              `label=ngb.install=${sandbox.installId}`,
              '--filter',
              'label=ngb.group=evil',
            ])
              .out.trim()
              .split('\n')[0],
          'the evil container to run',
          30_000,
          100,
        )
        expect(inContainer(name, plantScript(victims)).trim()).toBe('planted')
        // A follow-up writes into the (replaced) input dir; then the agent "crashes".
        await core.web.post('evil', 'second')
        await waitFor(
          () => readdirSync(join(rt.paths.ipc, 'evil', 'input')).some((n) => n.endsWith('.json')),
          'the follow-up to be written',
          15_000,
          50,
        )
        docker(['kill', name])
        await rec.waitFor((e: NgbEvent) => e.type === 'run.finished' && e.group === 'evil', 30_000)

        // Run 2: the directories are prepared, snapshots written, logs appended, IPC files scanned.
        await core.web.post('evil', 'hello again')
        await rec.waitFor((e) => e.type === 'message.out' && e.message.text === 'mock: hello again', 30_000)
        const errorsDir = join(rt.paths.ipc, 'errors')
        await waitFor(
          () => safeCount(errorsDir) >= 4,
          'the watcher to reject the FIFO, the directory, the hard link and the oversized file',
          15_000,
          50,
        )

        // Memory through the API: a CLAUDE.md that is a link is refused, never shown.
        const read = await api('/api/groups/evil/memory')
        expect(read.status).toBe(409)
        expect(await read.text()).not.toContain(SECRET)
        const save = await api('/api/groups/evil/memory', {
          method: 'PUT',
          body: JSON.stringify({ text: 'saved' }),
        })
        expect(save.status).toBeLessThan(300)
        expect(readFileSync(join(rt.paths.groups, 'evil', 'CLAUDE.md'), 'utf8')).toBe('saved')
        const runs = rt.repos.runs.list({ groupFolder: 'evil' })
        for (const r of runs) {
          const log = await (await api(`/api/runs/${r.id}`)).text()
          expect(log).not.toContain(SECRET)
        }

        const del = await api('/api/groups/evil', { method: 'DELETE' })
        expect(del.status).toBeLessThan(300)

        // The host repaired the agent's dirs instead of following them.
        const ipc = join(rt.paths.ipc, 'evil')
        for (const d of ['input', 'messages', 'tasks'])
          expect(lstatSync(join(ipc, d)).isDirectory()).toBe(true)
        expect(lstatSync(join(rt.paths.groups, 'evil', 'logs')).isDirectory()).toBe(true)
        expect(lstatSync(join(ipc, 'current_tasks.json')).isFile()).toBe(true)
        expect(readFileSync(join(ipc, 'keep.txt'), 'utf8')).toBe('agent file, not json')
        // Rejected files are kept small: a head and the reason.
        const errors = readdirSync(join(rt.paths.ipc, 'errors'))
        expect(errors.length).toBeGreaterThanOrEqual(4)
        for (const f of errors) expect(lstatSync(join(rt.paths.ipc, 'errors', f)).size).toBeLessThan(8192)
        expect(rec.outTexts().some((t) => t.includes('pwned'))).toBe(false)
      } finally {
        await stack.stop()
      }
      expect(snapshot(victims)).toEqual(before)
      for (const seen of Object.values(before)) expect(seen.uid).toBe(0)
    },
    120_000,
  )

  dockerTest(
    'deleting a group stops its running container at once and drops the reply it was about to send',
    async () => {
      const stack = await startStack()
      const { rt, core, rec, api } = stack
      try {
        core.groups.createGroup({ folder: 'main' })
        core.groups.createGroup({ folder: 'doomed', triggerMode: 'always' })
        await core.web.post('doomed', '/sleep 4000 late reply')
        await waitFor(() => stack.containersOf('doomed').length > 0, 'the container to run', 30_000, 50)
        const t0 = performance.now()
        const del = await api('/api/groups/doomed', { method: 'DELETE' })
        expect(del.status).toBeLessThan(300)
        await waitFor(() => stack.containersOf('doomed').length === 0, 'the container to stop', 20_000, 50)
        const stopMs = performance.now() - t0
        const finished = await rec.waitFor((e) => e.type === 'run.finished' && e.group === 'doomed', 20_000)
        expect(finished.type === 'run.finished' && finished.run.status).not.toBe('ok')
        expect(stopMs).toBeLessThan(4000)
        expect(rec.outTexts().filter((t) => t.includes('late reply'))).toEqual([])
        // Nothing of it is retried or re-queued.
        expect(core.orchestrator.queue.snapshot().groups.find((g) => g.folder === 'doomed')).toBeUndefined()
        expect(rt.repos.groups.get('doomed')).toBeUndefined()
      } finally {
        await stack.stop()
      }
    },
    60_000,
  )
})
