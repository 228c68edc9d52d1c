/**
 * Container hardening (docs/security.md): a read-only root with tmpfs scratch space, no swap
 * beyond the memory limit, and no secret in the environment of any host child process (the docker
 * CLI used to inherit ANTHROPIC_API_KEY from `ngb serve`).
 */
import { afterAll, beforeAll, describe, expect } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import type { Runtime } from '../../src/app.ts'
import { createContainerRuntime, createRunner, createRuntime } from '../../src/app.ts'
import { loadConfig } from '../../src/config/load.ts'
import type { Group } from '../../src/core/types.ts'
import type { OutputFrame } from '../../src/protocol/container.ts'
import { agentSandbox, ensureTestImage } from '../helpers/agent-image.ts'
import { docker, dockerTest } from '../helpers/docker.ts'
import { waitFor } from '../helpers/wait.ts'

const KEY = `sk-ant-hardening-${crypto.randomUUID()}`
let rt: Runtime | undefined
afterAll(async () => {
  await rt?.shutdown.run('test done')
})
const box = agentSandbox()
afterAll(() => box.cleanup())
let group: Group

beforeAll(async () => {
  box.env.NGB_CONTAINER_IMAGE = await ensureTestImage()
  rt = createRuntime({
    loaded: loadConfig({ env: { ...box.env, ANTHROPIC_API_KEY: KEY } }),
    consoleStream: null,
  })
  group = rt.repos.groups.create({ folder: 'hard', name: 'Hard', isMain: false, triggerMode: 'always' }, 1)
})

/** Environments of this process's children (the docker CLI processes), read from /proc. */
function childEnvironments(): Array<{ pid: string; cmd: string; env: string }> {
  const out: Array<{ pid: string; cmd: string; env: string }> = []
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]
      if (ppid !== String(process.pid)) continue
      out.push({
        pid,
        cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '),
        env: readFileSync(`/proc/${pid}/environ`, 'utf8'),
      })
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return out
}

describe('container hardening', () => {
  dockerTest(
    'read-only root, tmpfs scratch, swap = memory, and the API key in no host child environment',
    async () => {
      const live = rt
      if (!live) throw new Error('no runtime')
      // The key is in this process's environment too, as with an EnvironmentFile under systemd.
      const saved = process.env.ANTHROPIC_API_KEY
      process.env.ANTHROPIC_API_KEY = KEY
      const frames: OutputFrame[] = []
      try {
        const handle = createRunner(live, { runtime: createContainerRuntime(live) }).start({
          group,
          prompt: '<messages><message sender="a" time="1">/sleep 20000</message></messages>',
          chatJid: 'cli:hard',
          trigger: 'cli',
          onFrame: (f) => frames.push(f),
        })
        await waitFor(() => frames.some((f) => f.type === 'session'), 'the container to start', 20_000, 20)
        const children = childEnvironments()
        expect(children.some((c) => c.cmd.includes(handle.containerName))).toBe(true)
        for (const c of children) expect(c.env).not.toContain(KEY)

        const inspect = JSON.parse(docker(['inspect', handle.containerName]).out)[0]
        expect(inspect.HostConfig.ReadonlyRootfs).toBe(true)
        expect(inspect.HostConfig.MemorySwap).toBe(inspect.HostConfig.Memory)
        expect(Object.keys(inspect.HostConfig.Tmpfs ?? {}).sort()).toEqual(['/home/agent', '/tmp'])
        expect(JSON.stringify(inspect.Config.Env)).not.toContain(KEY)
        expect(JSON.stringify(inspect.Config.Cmd ?? [])).not.toContain(KEY)

        const probe = docker([
          'exec',
          handle.containerName,
          '/usr/local/bin/bun',
          '-e',
          `const fs = require('node:fs')
           const tryWrite = (p) => { try { fs.writeFileSync(p, 'x'); return 'ok' } catch (e) { return e.code } }
           console.log(JSON.stringify({ root: tryWrite('/evil'), app: tryWrite('/app/evil'), tmp: tryWrite('/tmp/x'),
             home: tryWrite('/home/agent/.claude.json'), group: tryWrite('/workspace/group/x') }))`,
        ])
        expect(JSON.parse(probe.out)).toEqual({
          root: 'EROFS',
          app: 'EROFS',
          tmp: 'ok',
          home: 'ok',
          group: 'ok',
        })
        await handle.kill()
        await handle.done
      } finally {
        if (saved === undefined) delete process.env.ANTHROPIC_API_KEY
        else process.env.ANTHROPIC_API_KEY = saved
      }
    },
    60_000,
  )
})
