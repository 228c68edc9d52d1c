import type { Interface } from 'node:readline'
import { clearLine, cursorTo } from 'node:readline'

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const STYLES = {
  agent: '\x1b[36m',
  activity: '\x1b[90m',
  error: '\x1b[31m',
  note: '\x1b[33m',
} as const
export type Style = keyof typeof STYLES

export interface ScreenOptions {
  rl: Interface
  output: NodeJS.WritableStream
  /** A terminal: prompts, a spinner and line redraws. Otherwise plain lines for pipes and logs. */
  tty: boolean
  color: boolean
  prompt?: string
  spinnerMs?: number
}

export interface Screen {
  /** Prints above the input line, keeping what the user is typing. */
  print(text: string, style?: Style): void
  /** The agent is working: the prompt becomes a spinner (TTY only). */
  busy(on: boolean): void
  prompt(): void
  stop(): void
}

/**
 * The terminal side of `ngb session`: agent output and activity appear above the input line, which
 * readline redraws with whatever the user had typed; while the agent works, the prompt spins.
 */
export function createScreen(opts: ScreenOptions): Screen {
  const idlePrompt = opts.prompt ?? '> '
  let timer: ReturnType<typeof setInterval> | undefined
  let frame = 0
  const paint = (text: string, style?: Style) =>
    opts.color && style ? `${STYLES[style]}${text}\x1b[0m` : text

  function redraw(): void {
    if (opts.tty) opts.rl.prompt(true)
  }

  return {
    print(text, style) {
      if (opts.tty) {
        clearLine(opts.output, 0)
        cursorTo(opts.output, 0)
      }
      opts.output.write(
        `${text
          .split('\n')
          .map((l) => paint(l, style))
          .join('\n')}\n`,
      )
      redraw()
    },
    busy(on) {
      if (!opts.tty) return
      if (on && !timer) {
        timer = setInterval(() => {
          frame = (frame + 1) % SPINNER.length
          opts.rl.setPrompt(`${paint(SPINNER[frame] ?? '*', 'note')} `)
          redraw()
        }, opts.spinnerMs ?? 100)
        opts.rl.setPrompt(`${paint(SPINNER[frame] ?? '*', 'note')} `)
        redraw()
      } else if (!on && timer) {
        clearInterval(timer)
        timer = undefined
        opts.rl.setPrompt(idlePrompt)
        redraw()
      }
    },
    prompt() {
      if (opts.tty) opts.rl.prompt()
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = undefined
    },
  }
}
