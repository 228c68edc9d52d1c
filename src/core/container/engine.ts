import { childEnv } from '../../util/child-env.ts'

/**
 * The one module that spawns the container engine's CLI (`docker`, or a compatible `podman`, from
 * NGB_CONTAINER_CLI). The runtime (docker.ts), `ngb doctor` and image building all call it, so how
 * the engine is invoked (no shell, a timeout, a missing binary turned into a result) is decided once.
 */

export interface EngineResult {
  /** Exit code; 127 when the CLI could not be started at all (not installed, not on PATH). */
  code: number
  out: string
  err: string
}

/**
 * Every engine CLI child gets a scrubbed environment (util/child-env.ts): the API key, the OAuth
 * token, the admin password and the platform tokens stay in this process. Read here, not in
 * config/load.ts, because it is about what a child inherits, not about configuration.
 */
const engineEnv = () => childEnv(process.env)

export interface EngineCallOptions {
  /** SIGKILL after this long; management commands must not hang a caller forever. */
  timeoutMs?: number
  /** Data for the command's stdin (`docker import -`); closed stdin otherwise. */
  stdin?: ReadableStream<Uint8Array>
  /** `inherit` streams output to the user's terminal (`ngb image build`); `out`/`err` are then empty. */
  output?: 'pipe' | 'inherit' | 'ignore'
  /** Each output line (stdout and stderr) as it arrives, e.g. for a build progress display. */
  onLine?: (line: string) => void
}

/** Reads a stream to its end, handing each complete line to `onLine` as it arrives; returns all text. */
async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine?: (line: string) => void,
): Promise<string> {
  const decoder = new TextDecoder()
  let all = ''
  let pending = ''
  for await (const chunk of stream) {
    const text = decoder.decode(chunk, { stream: true })
    all += text
    if (!onLine) continue
    pending += text
    const lines = pending.split(/\r?\n/)
    pending = lines.pop() ?? ''
    for (const line of lines) onLine(line)
  }
  if (onLine && pending) onLine(pending)
  return all
}

/** Runs one engine command to completion. Never throws: a CLI that cannot start is code 127. */
export async function runEngine(
  cli: string,
  args: string[],
  opts: EngineCallOptions = {},
): Promise<EngineResult> {
  const output = opts.output ?? 'pipe'
  let proc: ReturnType<typeof Bun.spawn>
  try {
    proc = Bun.spawn([cli, ...args], {
      stdin: opts.stdin ?? 'ignore',
      stdout: output,
      stderr: output,
      env: engineEnv(),
    })
  } catch (error) {
    return { code: 127, out: '', err: error instanceof Error ? error.message : String(error) }
  }
  const timer =
    opts.timeoutMs === undefined ? undefined : setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs)
  try {
    const text = (s: unknown) =>
      s instanceof ReadableStream ? readLines(s, opts.onLine) : Promise.resolve('')
    const [out, err, code] = await Promise.all([text(proc.stdout), text(proc.stderr), proc.exited])
    return { code, out, err }
  } finally {
    clearTimeout(timer)
  }
}

/** Starts a long-lived engine command with piped stdio (`docker run -i` of an agent turn). Throws if the CLI cannot start. */
export function spawnEngine(cli: string, args: string[]) {
  return Bun.spawn([cli, ...args], { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', env: engineEnv() })
}

/** Does the engine have this image locally? (`image inspect`; an unreachable engine answers no.) */
export async function imageExists(cli: string, image: string): Promise<boolean> {
  return (
    (await runEngine(cli, ['image', 'inspect', '--format', '{{.Id}}', image], { timeoutMs: 15_000 })).code ===
    0
  )
}
