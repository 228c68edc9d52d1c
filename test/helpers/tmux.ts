import { waitFor } from './wait.ts'

export const HAS_TMUX = Bun.spawnSync(['tmux', '-V'], { stdout: 'ignore', stderr: 'ignore' }).exitCode === 0

function tmux(socket: string, args: string[]): string {
  // A server per session (-L): no race with a server that is exiting, nor with other tmux users.
  const r = Bun.spawnSync(['tmux', '-L', socket, ...args], { stdout: 'pipe', stderr: 'pipe' })
  if (r.exitCode !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr.toString().trim()}`)
  return r.stdout.toString()
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

export interface TmuxSession {
  /** The visible pane plus scrollback, as plain text. */
  screen(): string
  /** Types text literally (no key names). */
  type(text: string): void
  /** Sends key names: Enter, C-c, C-d, Up. */
  keys(...keys: string[]): void
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>
  /** Resolves with the program's exit code once it has ended. */
  exitCode(timeoutMs?: number): Promise<number>
  kill(): void
}

/**
 * Runs a command in a real pseudo-terminal (a detached tmux session), for interactive CLI tests.
 * The command's exit code is printed as `[exit N]` and the pane is kept so tests can read it. It
 * gets only `env` (env -i): the test process's environment, which other tests change, stays out.
 */
export function startTmux(cmd: string[], env: Record<string, string>, size = { x: 120, y: 40 }): TmuxSession {
  const name = `ngb-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`)
  const line = `env -i ${envArgs.join(' ')} ${cmd.map(shellQuote).join(' ')}; echo "[exit $?]"; sleep 600`
  tmux(name, ['new-session', '-d', '-s', name, '-x', String(size.x), '-y', String(size.y), line])
  const screen = () => tmux(name, ['capture-pane', '-p', '-J', '-t', name, '-S', '-1000'])
  return {
    screen,
    type: (text) => {
      tmux(name, ['send-keys', '-t', name, '-l', text])
    },
    keys: (...keys) => {
      tmux(name, ['send-keys', '-t', name, ...keys])
    },
    waitFor: (text, timeoutMs = 10_000) =>
      waitFor(
        () => {
          const s = screen()
          return (typeof text === 'string' ? s.includes(text) : text.test(s)) ? s : undefined
        },
        `${String(text)} on the terminal`,
        timeoutMs,
        25,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n--- screen ---\n${screen()}`)
      }),
    exitCode: async (timeoutMs = 15_000) => {
      const m = await waitFor(
        () => /\[exit (\d+)\]/.exec(screen()) ?? undefined,
        'the program to exit',
        timeoutMs,
        25,
      )
      return Number(m[1])
    },
    kill: () => {
      Bun.spawnSync(['tmux', '-L', name, 'kill-server'], { stdout: 'ignore', stderr: 'ignore' })
    },
  }
}
