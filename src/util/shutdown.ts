export interface ShutdownStep {
  name: string
  run: () => Promise<void> | void
  timeoutMs?: number
}

export interface ShutdownReport {
  name: string
  ok: boolean
  ms: number
  error?: string
}

export interface Shutdown {
  /** Steps run in reverse order of registration: the last thing started stops first. */
  add(step: ShutdownStep): void
  run(reason: string): Promise<ShutdownReport[]>
  readonly started: boolean
}

export interface ShutdownOptions {
  defaultTimeoutMs?: number
  onStep?: (report: ShutdownReport) => void
}

function withTimeout(p: Promise<void>, ms: number, name: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not stop within ${ms} ms`)), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

/** Ordered, time-limited teardown. A step that throws or hangs is reported and the rest still run. */
export function createShutdown(opts: ShutdownOptions = {}): Shutdown {
  const steps: ShutdownStep[] = []
  let running: Promise<ShutdownReport[]> | undefined

  async function runAll(): Promise<ShutdownReport[]> {
    const reports: ShutdownReport[] = []
    for (const step of [...steps].reverse()) {
      const started = performance.now()
      let report: ShutdownReport
      try {
        await withTimeout(
          Promise.resolve().then(step.run),
          step.timeoutMs ?? opts.defaultTimeoutMs ?? 5000,
          step.name,
        )
        report = { name: step.name, ok: true, ms: performance.now() - started }
      } catch (error) {
        report = {
          name: step.name,
          ok: false,
          ms: performance.now() - started,
          error: error instanceof Error ? error.message : String(error),
        }
      }
      opts.onStep?.(report)
      reports.push(report)
    }
    return reports
  }

  return {
    add(step) {
      steps.push(step)
    },
    run() {
      running ??= runAll()
      return running
    },
    get started() {
      return running !== undefined
    },
  }
}

/**
 * Wires SIGINT/SIGTERM to a shutdown. A second signal while stopping exits at once, the way a person
 * pressing Ctrl+C twice expects.
 */
export function installSignalHandlers(
  shutdown: Shutdown,
  exit: (code: number) => void,
  onSignal?: (s: string) => void,
) {
  const handler = (signal: NodeJS.Signals) => {
    if (shutdown.started) return exit(130)
    onSignal?.(signal)
    void shutdown.run(signal).then((reports) => exit(reports.every((r) => r.ok) ? 0 : 1))
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}
