import { afterAll, beforeAll, describe, expect } from 'bun:test'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/open.ts'
import { createRepos } from '../../src/db/repos/index.ts'
import { agentSandbox, ensureTestImage } from '../helpers/agent-image.ts'
import { NGB_SOURCE, REPO_ROOT, runNgb } from '../helpers/cli.ts'
import { docker, dockerTest } from '../helpers/docker.ts'

const box = agentSandbox()
beforeAll(ensureTestImage)
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

  dockerTest('a missing image is a clear error', async () => {
    const r = await runNgb(['run', '-g', 'main', '-p', 'x', '--image', 'ngb-agent:does-not-exist'], {
      env: box.env,
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('ngb image build')
  })

  dockerTest('rejects an invalid folder before starting anything', async () => {
    const r = await runNgb(['run', '-g', '../etc', '-p', 'x'], { env: box.env })
    // A bad value on the command line is a usage error (docs/cli.md): exit 2.
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('not a valid group folder')
  })
})

describe('the API key never leaves stdin', () => {
  const key = `sk-ant-api03-test-${crypto.randomUUID()}`
  const secretBox = agentSandbox({ ANTHROPIC_API_KEY: key })
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
