import type { ContainerRuntime, ContainerSpec, ContainerSummary } from '../../src/core/container/runtime.ts'
import { formatFrame, type OutputFrame } from '../../src/protocol/container.ts'

/** One container the test drives: write stdout, read what the runner sent on stdin, make it exit. */
export interface FakeContainer {
  spec: ContainerSpec
  stdin(): string
  stdinClosed(): boolean
  /** Calls `fn` with everything written to stdin once the runner closes it. */
  onStdinEnd(fn: (input: string) => void): void
  print(text: string): void
  frame(frame: OutputFrame): void
  stderr(text: string): void
  exit(code: number): void
}

export interface FakeRuntime extends ContainerRuntime {
  containers: FakeContainer[]
  stops: string[]
  /** Make the next start() throw (e.g. the CLI is missing). */
  failNextStart(error: Error): void
  /**
   * The next container is still being created: stop/kill/remove find nothing (docker's "No such
   * container") until `created()` is called, like a `docker run` whose container has not appeared yet.
   */
  delayNextCreation(): { created(): void }
}

export interface FakeRuntimeOptions {
  /**
   * The container's process, where a test wants one (the runtime contract): called on every start
   * with the container to drive. Without it the test drives each container by hand.
   */
  program?: (container: FakeContainer) => void
}

/** An in-process ContainerRuntime: `stop` exits the container with 143, like the agent-runner on SIGTERM. */
export function createFakeRuntime(opts: FakeRuntimeOptions = {}): FakeRuntime {
  const containers: FakeContainer[] = []
  const live = new Map<string, FakeContainer>()
  const stops: string[] = []
  let nextError: Error | undefined
  let nextPending: { ready: boolean } | undefined
  const pending = new Map<string, { ready: boolean }>()
  const encoder = new TextEncoder()

  const runtime: FakeRuntime = {
    containers,
    stops,
    failNextStart(error) {
      nextError = error
    },
    delayNextCreation() {
      const p: { ready: boolean } = { ready: false }
      nextPending = p
      return {
        created() {
          p.ready = true
        },
      }
    },
    start(spec) {
      if (nextError) {
        const e = nextError
        nextError = undefined
        throw e
      }
      let input = ''
      let closed = false
      const stdinEnded: Array<(input: string) => void> = []
      let out!: ReadableStreamDefaultController<Uint8Array>
      let err!: ReadableStreamDefaultController<Uint8Array>
      let resolveExit!: (code: number) => void
      const exited = new Promise<number>((r) => {
        resolveExit = r
      })
      const stdout = new ReadableStream<Uint8Array>({
        start(c) {
          out = c
        },
      })
      const stderr = new ReadableStream<Uint8Array>({
        start(c) {
          err = c
        },
      })
      let done = false
      const c: FakeContainer = {
        spec,
        stdin: () => input,
        stdinClosed: () => closed,
        onStdinEnd(fn) {
          if (closed) fn(input)
          else stdinEnded.push(fn)
        },
        print: (text) => out.enqueue(encoder.encode(text)),
        frame: (frame) => out.enqueue(encoder.encode(formatFrame(frame))),
        stderr: (text) => err.enqueue(encoder.encode(text)),
        exit(code) {
          if (done) return
          done = true
          live.delete(spec.name)
          // The reader may have cancelled a stream already (e.g. after the output cap).
          for (const ctl of [out, err]) {
            try {
              ctl.close()
            } catch {
              // already closed or cancelled
            }
          }
          resolveExit(code)
        },
      }
      containers.push(c)
      live.set(spec.name, c)
      if (nextPending) {
        pending.set(spec.name, nextPending)
        nextPending = undefined
      }
      opts.program?.(c)
      return {
        name: spec.name,
        pid: 0,
        stdin: {
          write(data) {
            input += typeof data === 'string' ? data : new TextDecoder().decode(data)
          },
          end() {
            if (closed) return
            closed = true
            for (const fn of stdinEnded.splice(0)) fn(input)
          },
        },
        stdout,
        stderr,
        exited,
      }
    },
    async stop(name) {
      stops.push(name)
      if (pending.get(name)?.ready === false) return
      live.get(name)?.exit(143)
    },
    async kill(name) {
      if (pending.get(name)?.ready === false) return
      live.get(name)?.exit(137)
    },
    async list(labels): Promise<ContainerSummary[]> {
      return [...live.values()]
        .filter((c) => Object.entries(labels).every(([k, v]) => c.spec.labels[k] === v))
        .map((c) => ({ name: c.spec.name, labels: c.spec.labels, state: 'running' }))
    },
    async remove(names) {
      for (const n of names) if (pending.get(n)?.ready !== false) live.get(n)?.exit(137)
    },
  }
  return runtime
}
