import { afterAll, beforeAll, describe, expect, setDefaultTimeout } from 'bun:test'
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/open.ts'
import { createRepos } from '../../src/db/repos/index.ts'
import { agentSandbox, ensureTestImage } from '../helpers/agent-image.ts'
import { NGB_SOURCE, REPO_ROOT, runNgb } from '../helpers/cli.ts'
import { docker, dockerTest } from '../helpers/docker.ts'

// Container turns take ~0.5-1 s each, /hang waits out a 3 s timeout: more than the 5 s default.
setDefaultTimeout(30_000)
let image = 'ngb-agent:test'
const box = agentSandbox()
beforeAll(async () => {
  image = await ensureTestImage()
  box.env.NGB_CONTAINER_IMAGE = image
})
afterAll(() => box.cleanup())

function filesUnder(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...filesUnder(p))
    else out.push(p)
  }
  return out
}

describe('ngb run with the mock agent in a real container', () => {
  dockerTest('answers, then resumes the same session on the next run', async () => {
    const first = await runNgb(['run', '-g', 'main', '-p', 'hello'], { env: box.env })
    expect(first.stderr).toBe('')
    expect(first.stdout).toBe('mock: hello\n')
    expect(first.code).toBe(0)
    const db = openDatabase(join(box.dataDir, 'ngb.db'))
    const repos = createRepos(db)
    const sessionId = repos.sessions.get('main')
    expect(repos.groups.get('main')?.isMain).toBe(true)
    const runs = repos.runs.list({ groupFolder: 'main' })
    db.close()
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/)
    expect(runs[0]).toMatchObject({ status: 'ok', exitCode: 0, trigger: 'cli' })
    expect(runs[0]?.firstOutputAt).toBeGreaterThanOrEqual(runs[0]?.startedAt ?? Infinity)
    expect(runs[0]?.bytesOut).toBeGreaterThan(0)

    const second = await runNgb(['run', '-g', 'main', '-p', '/session'], { env: box.env })
    expect(second.stdout).toBe(`session ${sessionId} resumed=true\n`)
    expect(second.code).toBe(0)
  })

  dockerTest('reads the prompt from stdin with -p -, and a second group is not main', async () => {
    const r = await runNgb(['run', '-g', 'other', '-p', '-'], { env: box.env, stdin: 'from stdin' })
    expect(r.stdout).toBe('mock: from stdin\n')
    const db = openDatabase(join(box.dataDir, 'ngb.db'))
    expect(createRepos(db).groups.get('other')?.isMain).toBe(false)
    db.close()
  })

  dockerTest('streams /multi 3: the first part arrives before the last is produced', async () => {
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries({ ...process.env, ...box.env })) if (v !== undefined) env[k] = v
    const proc = Bun.spawn([process.execPath, NGB_SOURCE, 'run', '-g', 'main', '-p', '/multi 3'], {
      cwd: REPO_ROOT,
      env,
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const arrivals: Array<{ at: number; text: string }> = []
    const decoder = new TextDecoder()
    for await (const chunk of proc.stdout)
      arrivals.push({ at: performance.now(), text: decoder.decode(chunk) })
    expect(await proc.exited).toBe(0)
    expect(arrivals.map((a) => a.text).join('')).toBe('part 1/3\npart 2/3\npart 3/3\n')
    const firstAt = arrivals.find((a) => a.text.includes('part 1/3'))?.at ?? Infinity
    const lastAt = arrivals.find((a) => a.text.includes('part 3/3'))?.at ?? -Infinity
    // The mock waits 150 ms between parts, so part 3 is produced >= 300 ms after part 1.
    expect(lastAt - firstAt).toBeGreaterThan(200)
  })

  dockerTest('/fail exits 1 with the agent error on stderr', async () => {
    const r = await runNgb(['run', '-g', 'main', '-p', '/fail'], { env: box.env })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('mock failure')
  })

  dockerTest('/hang with --timeout 3s exits 124 within 20 s and leaves no container', async () => {
    const t0 = performance.now()
    const r = await runNgb(['run', '-g', 'main', '-p', '/hang', '--timeout', '3s'], { env: box.env })
    const ms = performance.now() - t0
    expect(r.code).toBe(124)
    expect(ms).toBeLessThan(20_000)
    expect(ms).toBeGreaterThan(2_900)
    expect(box.leftovers()).toEqual([])
    const db = openDatabase(join(box.dataDir, 'ngb.db'))
    expect(createRepos(db).runs.list({ groupFolder: 'main', limit: 1 })[0]?.status).toBe('timeout')
    db.close()
  })

  dockerTest(
    '/hang with --timeout 5ms (fires while the container starts) still exits 124, no container left',
    async () => {
      const t0 = performance.now()
      const r = await runNgb(['run', '-g', 'main', '-p', '/hang', '--timeout', '5ms'], { env: box.env })
      expect(r.code).toBe(124)
      expect(performance.now() - t0).toBeLessThan(25_000)
      expect(box.leftovers()).toEqual([])
    },
  )

  dockerTest('a missing image is a clear error', async () => {
    const r = await runNgb(['run', '-g', 'main', '-p', 'x', '--image', 'ngb-agent:does-not-exist'], {
      env: box.env,
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('ngb image build')
  })

  dockerTest('rejects an invalid folder before starting anything', async () => {
    const r = await runNgb(['run', '-g', '../etc', '-p', 'x'], { env: box.env })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('invalid group folder')
  })
})

describe('the API key never leaves stdin', () => {
  const key = `sk-ant-api03-test-${crypto.randomUUID()}`
  const secretBox = agentSandbox({ ANTHROPIC_API_KEY: key })
  beforeAll(() => {
    secretBox.env.NGB_CONTAINER_IMAGE = image
  })
  afterAll(() => secretBox.cleanup())

  dockerTest('/secret says present; the key is not in inspect, ps, logs or the database', async () => {
    const running = runNgb(['run', '-g', 'main', '-p', '/sleep 2500 /secret'], { env: secretBox.env })
    let inspected = ''
    let psArgs = ''
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline && inspected === '') {
      const ids = secretBox.leftovers()
      if (ids.length > 0) {
        psArgs = Bun.spawnSync(['ps', '-eo', 'args']).stdout.toString()
        inspected = docker(['inspect', ...ids]).out
      } else await Bun.sleep(50)
    }
    expect(inspected).toContain('ngb.install')
    expect(psArgs).toContain('ngb-main-')
    const r = await running
    expect(r.stdout).toBe('secret present\n')
    expect(r.code).toBe(0)
    expect(inspected).not.toContain(key)
    expect(psArgs).not.toContain(key)
    const files = filesUnder(secretBox.dataDir)
    expect(files.some((f) => f.endsWith('.log'))).toBe(true)
    for (const f of files) expect(readFileSync(f).includes(key)).toBe(false)
    expect(r.stderr).not.toContain(key)
  })

  dockerTest('/secret says absent when no key is configured', async () => {
    const r = await runNgb(['run', '-g', 'main', '-p', '/secret'], { env: box.env })
    expect(r.stdout).toBe('secret absent\n')
  })
})

describe('ngb run --env and piped input', () => {
  const envBox = agentSandbox({ NGB_TEST_FROM_ENV: 'taken-from-ngb-env' })
  beforeAll(() => {
    envBox.env.NGB_CONTAINER_IMAGE = image
  })
  afterAll(() => envBox.cleanup())

  dockerTest(
    'repeated --env values reach the agent on stdin only, never docker inspect or the files',
    async () => {
      const value = `env-secret-${crypto.randomUUID()}`
      const running = runNgb(
        [
          'run',
          '-g',
          'main',
          '-p',
          '/sleep 2000 /env DEPLOY_TOKEN',
          '--env',
          `DEPLOY_TOKEN=${value}`,
          '--env',
          'OTHER=1',
        ],
        { env: envBox.env },
      )
      let inspected = ''
      const deadline = Date.now() + 10_000
      while (Date.now() < deadline && inspected === '') {
        const ids = envBox.leftovers()
        if (ids.length > 0) inspected = docker(['inspect', ...ids]).out
        else await Bun.sleep(50)
      }
      const r = await running
      expect(r.stdout).toBe(`env DEPLOY_TOKEN=${value}\n`)
      expect(r.code).toBe(0)
      expect(inspected).toContain('ngb.install')
      expect(inspected).not.toContain(value)
      for (const f of filesUnder(envBox.dataDir)) expect(readFileSync(f).includes(value)).toBe(false)
      const other = await runNgb(
        ['run', '-g', 'main', '-p', '/env OTHER', '--env', 'OTHER=1', '--env=THIRD=3'],
        {
          env: envBox.env,
        },
      )
      expect(other.stdout).toBe('env OTHER=1\n')
      const fromEnv = await runNgb(['run', '-g', 'main', '-p', '/env NGB_TEST_FROM_ENV'], { env: envBox.env })
      expect(fromEnv.stdout).toBe('env NGB_TEST_FROM_ENV unset\n')
    },
  )

  dockerTest('--env NAME takes the value from the environment', async () => {
    const r = await runNgb(['run', '-g', 'main', '-p', '/env GREETING', '--env', 'GREETING'], {
      env: { ...envBox.env, GREETING: 'hello from the shell' },
    })
    expect(r.stdout).toBe('env GREETING=hello from the shell\n')
  })

  dockerTest('a malformed or reserved --env is a usage error before any container starts', async () => {
    for (const bad of ['1BAD=x', 'ANTHROPIC_API_KEY=x', 'NOT_SET_ANYWHERE_XYZ']) {
      const r = await runNgb(['run', '-g', 'main', '-p', 'x', '--env', bad], { env: envBox.env })
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/^ngb: --env .*\nhint: /)
    }
    expect(envBox.leftovers()).toEqual([])
  })

  dockerTest('piped stdin with -p: the prompt first, then the input', async () => {
    const r = await runNgb(['run', '-g', 'main', '-p', 'Review this'], {
      env: envBox.env,
      stdin: 'diff line',
    })
    expect(r.stdout).toBe('mock: Review this\n\ndiff line\n')
    expect(r.code).toBe(0)
  })
})

describe('extra mounts reach the container only through the allowlist', () => {
  const mountBox = agentSandbox()
  afterAll(() => mountBox.cleanup())

  dockerTest('an allowed path is mounted read-only for a non-main group; a blocked one is not', async () => {
    mountBox.env.NGB_CONTAINER_IMAGE = image
    const home = mountBox.env.HOME ?? ''
    const projects = join(home, 'projects')
    mkdirSync(join(projects, 'app'), { recursive: true })
    mkdirSync(join(projects, 'a,b'), { recursive: true })
    mkdirSync(join(projects, '.ssh'), { recursive: true })
    symlinkSync(join(projects, '.ssh'), join(projects, 'harmless'))
    mkdirSync(join(home, '.config', 'nanogridbot'), { recursive: true })
    writeFileSync(
      join(home, '.config', 'nanogridbot', 'mount-allowlist.json'),
      JSON.stringify({
        allowedRoots: [{ path: '~/projects', allowReadWrite: true }],
        blockedPatterns: [],
        nonMainReadOnly: true,
      }),
    )
    const db = openDatabase(join(mountBox.dataDir, 'ngb.db'))
    const repos = createRepos(db)
    repos.groups.create({ folder: 'admin', name: 'admin', isMain: true, triggerMode: 'always' }, 1)
    repos.groups.create(
      {
        folder: 'team',
        name: 'team',
        triggerMode: 'always',
        settings: {
          extraMounts: [
            { hostPath: '~/projects/app', containerPath: 'app', readonly: false },
            { hostPath: join(projects, 'harmless'), containerPath: 'keys' },
            // A comma in an allowed host path is mounted; a container path "." is skipped (logged).
            { hostPath: '~/projects/a,b', containerPath: 'ab' },
            { hostPath: '~/projects/app', containerPath: '.' },
          ],
        },
      },
      1,
    )
    db.close()
    const running = runNgb(['run', '-g', 'team', '-p', '/sleep 1500 done'], { env: mountBox.env })
    let mounts: Array<{ Source: string; Destination: string; RW: boolean }> = []
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline && mounts.length === 0) {
      const ids = mountBox.leftovers()
      if (ids.length > 0)
        mounts = JSON.parse(docker(['inspect', '--format', '{{json .Mounts}}', ...ids]).out || '[]')
      else await Bun.sleep(50)
    }
    expect((await running).stdout).toBe('mock: done\n')
    const byTarget = new Map(mounts.map((m) => [m.Destination, m]))
    expect(byTarget.get('/workspace/extra/app')).toMatchObject({ Source: join(projects, 'app'), RW: false })
    expect(byTarget.has('/workspace/extra/keys')).toBe(false)
    expect(byTarget.get('/workspace/extra/ab')).toMatchObject({ Source: join(projects, 'a,b'), RW: false })
    expect(byTarget.get('/workspace/global')?.RW).toBe(false)
    expect(byTarget.get('/workspace/group')?.RW).toBe(true)
    expect([...byTarget.keys()].sort()).toEqual([
      '/home/agent/.claude',
      '/workspace/extra/ab',
      '/workspace/extra/app',
      '/workspace/global',
      '/workspace/group',
      '/workspace/ipc',
    ])
    for (const m of mounts) {
      expect(m.Source).not.toBe(mountBox.dataDir)
      expect(m.Source.endsWith('.db') || m.Source.endsWith('.env')).toBe(false)
    }
  })
})
