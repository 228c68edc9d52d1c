import { ContainerError } from '../errors.ts'
import { buildRunArgs } from './args.ts'
import { type EngineResult, runEngine, spawnEngine } from './engine.ts'
import type { ContainerRuntime, ContainerSummary, RunningContainer } from './runtime.ts'

export interface DockerRuntimeOptions {
  /** `docker` or a compatible CLI (`podman`), from NGB_CONTAINER_CLI. */
  cli: string
  /** Cap on each management command (stop, kill, ps, rm). */
  commandTimeoutMs?: number
}

/** The Docker engine through its CLI, spawned with Bun.spawn (never a shell). */
export function createDockerRuntime(opts: DockerRuntimeOptions): ContainerRuntime {
  const timeoutMs = opts.commandTimeoutMs ?? 30_000

  const cli = (args: string[], ms = timeoutMs): Promise<EngineResult> =>
    runEngine(opts.cli, args, { timeoutMs: ms })

  const gone = (err: string) => /no such container|is not running|not found/i.test(err)

  const runtime: ContainerRuntime = {
    start(spec) {
      let proc: ReturnType<typeof spawnEngine>
      try {
        proc = spawnEngine(opts.cli, buildRunArgs(spec))
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

function parseSummary(line: string): ContainerSummary {
  const row = JSON.parse(line) as { Names?: string; Labels?: string; State?: string }
  const labels: Record<string, string> = {}
  for (const pair of (row.Labels ?? '').split(',')) {
    const i = pair.indexOf('=')
    if (i > 0) labels[pair.slice(0, i)] = pair.slice(i + 1)
  }
  return { name: row.Names ?? '', labels, state: row.State ?? 'unknown' }
}
