import { expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { NGB_SOURCE, REPO_ROOT } from '../helpers/cli.ts'
import { tempDir } from '../helpers/temp.ts'

async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const port = server.port ?? 0
  await server.stop(true)
  return port
}

async function waitForHealth(url: string, deadlineMs: number): Promise<Response> {
  const until = performance.now() + deadlineMs
  for (;;) {
    try {
      return await fetch(url)
    } catch (error) {
      if (performance.now() > until) throw error
      await Bun.sleep(10)
    }
  }
}

test('serve answers /api/health, logs to the data dir and stops on SIGTERM within 2 s', async () => {
  const dataDir = tempDir()
  const port = await freePort()
  const proc = Bun.spawn([process.execPath, NGB_SOURCE, 'serve', '--port', String(port)], {
    cwd: REPO_ROOT,
    env: { ...process.env, NGB_DATA_DIR: dataDir, NGB_ADMIN_PASSWORD: 'test-admin-password', NO_COLOR: '1' },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  try {
    const res = await waitForHealth(`http://127.0.0.1:${port}/api/health`, 15_000)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { status: string; version: string; uptimeMs: number }
    expect(body.status).toBe('ok')
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(body.uptimeMs).toBeGreaterThanOrEqual(0)
  } finally {
    const stopAt = performance.now()
    proc.kill('SIGTERM')
    const code = await proc.exited
    expect(code).toBe(0)
    expect(performance.now() - stopAt).toBeLessThan(2000)
  }
  const log = readFileSync(join(dataDir, 'logs', 'ngb.log'), 'utf8')
  expect(log).toContain('"msg":"SIGTERM: shutting down"')
  expect(log).not.toContain('test-admin-password')
})

function startServe(dataDir: string, port: number) {
  return Bun.spawn([process.execPath, NGB_SOURCE, 'serve', '--port', String(port)], {
    cwd: REPO_ROOT,
    env: { ...process.env, NGB_DATA_DIR: dataDir, NGB_ADMIN_PASSWORD: 'test-admin-password', NO_COLOR: '1' },
    stdout: 'pipe',
    stderr: 'pipe',
  })
}

test('a second serve on the same data dir or the same port exits 1 with one line', async () => {
  const dataDir = tempDir()
  const port = await freePort()
  const first = startServe(dataDir, port)
  try {
    await waitForHealth(`http://127.0.0.1:${port}/api/health`, 15_000)
    const sameDir = startServe(dataDir, await freePort())
    expect(await sameDir.exited).toBe(1)
    const dirErr = (await new Response(sameDir.stderr).text()).trim().split('\n')
    expect(dirErr).toHaveLength(1)
    expect(dirErr[0]).toContain(`pid ${first.pid}, port ${port}`)

    const samePort = startServe(tempDir(), port)
    expect(await samePort.exited).toBe(1)
    const portErr = (await new Response(samePort.stderr).text()).trim().split('\n')
    expect(portErr).toHaveLength(1)
    expect(portErr[0]).toContain(`port ${port}`)
  } finally {
    first.kill('SIGTERM')
    expect(await first.exited).toBe(0)
  }
  expect(existsSync(join(dataDir, 'serve.lock'))).toBe(false)
})
