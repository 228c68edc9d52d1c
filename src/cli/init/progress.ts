/**
 * `docker build` prints hundreds of lines; a person setting ngb up wants to see which step runs and
 * that something is happening. These turn build output into "step i/n: what" and draw one spinner
 * line on a terminal (plain lines elsewhere, so logs and CI stay readable).
 */

export interface BuildStep {
  index: number
  total: number
  title: string
}

const CLASSIC = /^Step (\d+)\/(\d+) : (.+)$/
// BuildKit: "#7 [3/6] RUN bun install" (internal steps like "[internal] load .dockerignore" are skipped).
const BUILDKIT = /^#\d+ \[(?:[\w-]+ )?(\d+)\/(\d+)\] (.+)$/

/** The build step a line announces, if it announces one (classic builder or BuildKit plain output). */
export function parseBuildStep(line: string): BuildStep | undefined {
  const m = CLASSIC.exec(line.trim()) ?? BUILDKIT.exec(line.trim())
  if (!m) return undefined
  const title = (m[3] ?? '').replace(/\s+/g, ' ').trim()
  return {
    index: Number(m[1]),
    total: Number(m[2]),
    title: title.length > 60 ? `${title.slice(0, 57)}...` : title,
  }
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

export interface Progress {
  /** Feed one output line of the build. */
  line(text: string): void
  /** A named phase outside docker build (e.g. "assembling the test image"). */
  phase(title: string): void
  done(summary: string): void
  fail(summary: string): void
}

/** Writes to `out`; on a TTY one line redrawn with a spinner, else one plain line per step. */
export function createProgress(out: { write(s: string): unknown; isTTY?: boolean }, tickMs = 100): Progress {
  let current = ''
  let frame = 0
  let timer: ReturnType<typeof setInterval> | undefined
  const draw = () => {
    out.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${current}`)
  }
  const show = (text: string) => {
    if (text === current) return
    current = text
    if (!out.isTTY) {
      out.write(`${text}\n`)
      return
    }
    draw()
    timer ??= setInterval(draw, tickMs)
  }
  const end = (mark: string, summary: string) => {
    if (timer) clearInterval(timer)
    timer = undefined
    out.write(out.isTTY ? `\r\x1b[2K${mark} ${summary}\n` : `${summary}\n`)
  }
  return {
    line(text) {
      const step = parseBuildStep(text)
      if (step) show(`step ${step.index}/${step.total}: ${step.title}`)
    },
    phase: show,
    done: (summary) => end('✓', summary),
    fail: (summary) => end('✗', summary),
  }
}
