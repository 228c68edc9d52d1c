import { ContainerError } from '../errors.ts'
import { buildRunArgs } from './args.ts'
import type { ContainerRuntime, ContainerSummary, RunningContainer } from './runtime.ts'

export interface DockerRuntimeOptions {
  /** `docker` or a compatible CLI (`podman`), from NGB_CONTAINER_CLI. */
  cli: string
  /** Cap on each management command (stop, kill, ps, rm). */
  commandTimeoutMs?: number
  /**
   * The CLI's whole environment (util/child-env.ts scrubs it): never this process's, which may
   * hold the API key and platform tokens.
   */
  env: Record<string, string>
}

interface CliResult {
  code: number
  out: string
  err: string
}

/** The Docker engine through its CLI, spawned with Bun.spawn (never a shell). */
export function createDockerRuntime(opts: DockerRuntimeOptions): ContainerRuntime {
  const timeoutMs = opts.commandTimeoutMs ?? 30_000

  async function cli(args: string[], ms = timeoutMs): Promise<CliResult> {
    const proc = Bun.spawn([opts.cli, ...args], {
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      env: opts.env,
    })
    const timer = setTimeout(() => proc.kill('SIGKILL'), ms)
    try {
      const [out, err, code] = await Promise.all([
        new Response(proc.stdout).text(),
        new Response(proc.stderr).text(),
        proc.exited,
      ])
      return { code, out, err }
    } finally {
      clearTimeout(timer)
    }
  }

  const gone = (err: string) => /no such container|is not running|not found/i.test(err)

  const runtime: ContainerRuntime = {
    start(spec) {
      let proc: ReturnType<typeof spawn>
      try {
        proc = spawn(opts.cli, buildRunArgs(spec), opts.env)
      } catch (error) {
        throw new ContainerError(
          'spawn',
          `cannot start ${opts.cli}: ${(error as Error).message} (is it installed? set NGB_CONTAINER_CLI)`,
          { cause: error },
        )
      }
      const running: RunningContainer = {
        name: spec.name,
        pid: proc.pid,
        stdin: proc.stdin,
        stdout: proc.stdout,
        stderr: proc.stderr,
        exited: proc.exited,
      }
      return running
    },
    async stop(name, graceSeconds = 15) {
      const r = await cli(['stop', '-t', String(graceSeconds), name], (graceSeconds + 15) * 1000)
      if (r.code !== 0 && !gone(r.err)) await runtime.kill(name)
    },
    async kill(name) {
      const r = await cli(['kill', name])
      if (r.code !== 0 && !gone(r.err)) {
        throw new ContainerError('exit', `${opts.cli} kill ${name} failed: ${r.err.trim()}`)
      }
    },
    async list(labels) {
      const filters = Object.entries(labels).flatMap(([k, v]) => ['--filter', `label=${k}=${v}`])
      const r = await cli(['ps', '-a', '--no-trunc', ...filters, '--format', '{{json .}}'])
      if (r.code !== 0) throw new ContainerError('exit', `${opts.cli} ps failed: ${r.err.trim()}`)
      return r.out
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => parseSummary(l))
    },
    async remove(names) {
      if (names.length === 0) return
      const r = await cli(['rm', '-f', ...names])
      if (r.code !== 0 && !gone(r.err)) {
        throw new ContainerError('exit', `${opts.cli} rm failed: ${r.err.trim()}`)
      }
    },
  }
  return runtime
}

function spawn(cli: string, args: string[], env: Record<string, string>) {
  return Bun.spawn([cli, ...args], { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', env })
}

function parseSummary(line: string): ContainerSummary {
  const row = JSON.parse(line) as { Names?: string; Labels?: string; State?: string }
  const labels: Record<string, string> = {}
  for (const pair of (row.Labels ?? '').split(',')) {
    const i = pair.indexOf('=')
    if (i > 0) labels[pair.slice(0, i)] = pair.slice(i + 1)
  }
  return { name: row.Names ?? '', labels, state: row.State ?? 'unknown' }
}
