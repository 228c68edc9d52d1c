import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { waitFor } from '../../helpers/wait.ts'

/**
 * A Docker daemon of the test's own (own socket, data root, exec root, pid file; no bridge, no
 * iptables), so the test can restart a daemon without touching the shared one everybody uses.
 */
export interface PrivateDocker {
  host: string
  /** `docker -H <host> …`, as the fault fixture's `docker` option expects. */
  docker(args: string[], stdin?: Uint8Array): { code: number; out: string; err: string }
  /** SIGTERM to the daemon, wait for it to exit, start it again with the same state. */
  restart(): Promise<void>
  stop(): Promise<void>
}

export function canRunPrivateDocker(): string | undefined {
  if (process.getuid?.() !== 0) return 'a private dockerd needs root'
  if (!Bun.which('dockerd')) return 'dockerd is not installed'
  return undefined
}

export async function startPrivateDocker(image: string): Promise<PrivateDocker> {
  const dir = mkdtempSync('/tmp/ngb-fault-docker-')
  const sock = join(dir, 'docker.sock')
  const pidfile = join(dir, 'docker.pid')
  const host = `unix://${sock}`
  const docker = (args: string[], stdin?: Uint8Array) => {
    const r = Bun.spawnSync(['docker', '-H', host, ...args], {
      stdout: 'pipe',
      stderr: 'pipe',
      stdin: stdin ?? 'ignore',
    })
    return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() }
  }
  let proc: Bun.Subprocess | undefined
  const launch = async () => {
    proc = Bun.spawn(
      [
        'dockerd',
        '--host',
        host,
        '--data-root',
        join(dir, 'root'),
        '--exec-root',
        join(dir, 'exec'),
        '--pidfile',
        pidfile,
        '--bridge=none',
        '--iptables=false',
        '--ip6tables=false',
      ],
      { stdout: 'ignore', stderr: Bun.file(join(dir, 'dockerd.log')) },
    )
    await waitFor(
      () => docker(['info', '--format', '{{.ServerVersion}}']).code === 0,
      'the private dockerd',
      60_000,
      100,
    )
  }
  await launch()
  // The shared engine's copy of the test image, loaded into the private one under the same tag.
  const saved = Bun.spawnSync(['docker', 'save', image], { stdout: 'pipe', stderr: 'pipe' })
  if (saved.exitCode !== 0) throw new Error(`docker save ${image} failed: ${saved.stderr.toString()}`)
  const loaded = docker(['load'], saved.stdout)
  if (loaded.code !== 0) throw new Error(`loading ${image} into the private dockerd failed: ${loaded.err}`)
  const halt = async () => {
    const p = proc
    proc = undefined
    p?.kill('SIGTERM')
    await p?.exited
    await waitFor(() => !existsSync(pidfile), 'the private dockerd to exit', 30_000, 100)
  }
  return {
    host,
    docker,
    async restart() {
      await halt()
      await launch()
    },
    async stop() {
      const left = docker(['ps', '-aq']).out.split('\n').filter(Boolean)
      if (left.length) docker(['rm', '-f', ...left])
      await halt()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export const privateDockerLog = (dir: string) => readFileSync(join(dir, 'dockerd.log'), 'utf8')
