import { NGB_SOURCE, REPO_ROOT } from './cli.ts'
import { waitFor } from './wait.ts'

export interface LiveNgb {
  proc: Bun.Subprocess<'ignore', 'pipe', 'pipe'>
  /** Everything printed on stdout so far. */
  stdout(): string
  stderr(): string
  /** Resolves with the exit code. */
  exited: Promise<number>
}

/** A long-running CLI process (`logs -f`, `serve`) whose output tests watch as it streams. */
export function spawnNgb(
  args: string[],
  opts: { env?: Record<string, string | undefined>; binary?: string } = {},
): LiveNgb {
  const cmd = opts.binary ? [opts.binary, ...args] : [process.execPath, NGB_SOURCE, ...args]
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', ...opts.env })) {
    if (v !== undefined) env[k] = v
  }
  const proc = Bun.spawn(cmd, { cwd: REPO_ROOT, env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  let out = ''
  let err = ''
  const pump = async (stream: ReadableStream<Uint8Array>, add: (s: string) => void) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) add(decoder.decode(chunk, { stream: true }))
  }
  const pumps = Promise.all([
    pump(proc.stdout, (s) => {
      out += s
    }),
    pump(proc.stderr, (s) => {
      err += s
    }),
  ])
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited: pumps.then(() => proc.exited),
  }
}

/**
 * Starts `ngb serve` on a free port and resolves once it printed its dashboard line (serve prints it
 * after the orchestrator connected every channel). A serve that never gets there is killed, not leaked.
 */
export async function startServe(
  env: Record<string, string | undefined>,
  opts: { binary?: string; what?: string } = {},
): Promise<LiveNgb> {
  const serve = spawnNgb(['serve', '--port', '0'], { env, binary: opts.binary })
  try {
    await waitFor(() => serve.stdout().includes('Dashboard:'), opts.what ?? 'ngb serve to start', 30_000)
  } catch (e) {
    serve.proc.kill('SIGKILL')
    throw e
  }
  return serve
}

/** Asks a running ngb to shut down (SIGTERM) and resolves with its exit code once it is gone. */
export function stopNgb(ngb: LiveNgb): Promise<number> {
  ngb.proc.kill('SIGTERM')
  return ngb.exited
}
