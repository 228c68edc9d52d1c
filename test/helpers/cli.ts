import { join } from 'node:path'

export const REPO_ROOT = join(import.meta.dir, '..', '..')
export const NGB_SOURCE = join(REPO_ROOT, 'src', 'main.ts')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs the real CLI from source (or a given binary) as a child process. */
export async function runNgb(
  args: string[],
  opts: {
    env?: Record<string, string | undefined>
    stdin?: string
    cwd?: string
    binary?: string
    timeoutMs?: number
  } = {},
): Promise<CliResult> {
  const cmd = opts.binary ? [opts.binary, ...args] : [process.execPath, NGB_SOURCE, ...args]
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', ...opts.env })) {
    if (v !== undefined) env[k] = v
  }
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd ?? REPO_ROOT,
    env,
    stdin: opts.stdin === undefined ? 'ignore' : new TextEncoder().encode(opts.stdin),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 30_000)
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  clearTimeout(timer)
  return { code, stdout, stderr }
}
