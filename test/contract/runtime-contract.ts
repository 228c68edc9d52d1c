import { afterAll, describe, expect, test } from 'bun:test'
import type { ContainerRuntime, ContainerSpec, RunningContainer } from '../../src/core/container/runtime.ts'
import { createFrameParser } from '../../src/core/runner/frames.ts'
import type { OutputFrame } from '../../src/protocol/container.ts'
import { waitFor } from '../helpers/wait.ts'

/**
 * One conformance suite for every ContainerRuntime: the Docker CLI runtime runs it against a real
 * engine and the image's agent-runner; the fake runs it in process with a program standing in for
 * the agent-runner. So what the unit tests learn from the fake (exit codes of stop and kill, labels,
 * `--rm`, stdin and stdout) is what the engine does.
 */
export interface RuntimeHarness {
  runtime: ContainerRuntime
  /** A spec the runtime can start: its container reads its input on stdin, as the agent-runner does. */
  spec(name: string, labels: Record<string, string>): ContainerSpec
  /** Removes whatever the suite left behind (containers carrying `labels`). */
  cleanup(labels: Record<string, string>): Promise<void>
}

/** A harness over `runtime` whose containers run `image` as `user`, without network or mounts. */
export function plainHarness(runtime: ContainerRuntime, image: string, user: string): RuntimeHarness {
  return {
    runtime,
    spec: (name, labels) => ({
      name,
      image,
      labels,
      user,
      network: 'none',
      memory: '256m',
      cpus: '0.5',
      pidsLimit: 64,
      mounts: [],
    }),
    async cleanup(labels) {
      await runtime.remove((await runtime.list(labels)).map((c) => c.name))
    },
  }
}

export type RuntimeCase =
  | 'stdin and stdout'
  | 'exit removes'
  | 'labels'
  | 'stop'
  | 'kill'
  | 'remove'
  | 'missing containers'

export interface RuntimeContractOptions {
  /** Cases this runtime cannot run, each with the reason (shown in the test name). */
  skip?: Partial<Record<RuntimeCase, string>>
  /** Declares each test; a real engine passes `dockerTest` so the suite skips without one. */
  test?: typeof test
}

/** Everything a container printed on stdout, parsed with the runner's own frame parser. */
async function framesOf(c: RunningContainer): Promise<OutputFrame[]> {
  const frames: OutputFrame[] = []
  const parser = createFrameParser({ maxBytes: 1 << 20, onFrame: (f) => frames.push(f) })
  for await (const chunk of c.stdout) parser.push(chunk)
  parser.end()
  return frames
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<void> {
  for await (const _ of stream) {
    // discard: a full pipe would block the container
  }
}

/** Polls `list` until `check` holds (engines update their table a moment after a state change). */
function listUntil(
  runtime: ContainerRuntime,
  labels: Record<string, string>,
  check: (names: string[]) => boolean,
  what: string,
): Promise<{ names: string[] }> {
  return waitFor(
    async () => {
      const names = (await runtime.list(labels)).map((c) => c.name)
      return check(names) && { names }
    },
    what,
    15_000,
    50,
  )
}

/** Waits until the engine reports the container as running (Docker lists it as "created" first). */
function untilRunning(runtime: ContainerRuntime, labels: Record<string, string>, name: string) {
  return waitFor(
    async () => (await runtime.list(labels)).find((c) => c.name === name && c.state === 'running'),
    `${name} to run`,
    15_000,
    50,
  )
}

export function runtimeContract(
  name: string,
  harness: () => RuntimeHarness | Promise<RuntimeHarness>,
  opts: RuntimeContractOptions = {},
): void {
  const declare = opts.test ?? test
  const run = `c${crypto.randomUUID().slice(0, 8)}`
  const labels = { 'ngb.contract': run }
  let h: RuntimeHarness | undefined
  let n = 0
  const get = async () => {
    h ??= await harness()
    return h
  }
  const fresh = () => `ngb-contract-${run}-${++n}`
  /** A container that waits on stdin (never given its input), once the engine runs it. */
  const startWaiting = async (on: Record<string, string>) => {
    const { runtime, spec } = await get()
    const c = runtime.start(spec(fresh(), on))
    void drain(c.stdout)
    void drain(c.stderr)
    await untilRunning(runtime, on, c.name)
    return { runtime, c }
  }
  const caseTest = (c: RuntimeCase, fn: () => Promise<void>) => {
    const reason = opts.skip?.[c]
    if (reason) test.skip(`${c} (skipped: ${reason})`, fn)
    else declare(c, fn)
  }

  afterAll(async () => {
    await h?.cleanup(labels)
  })

  describe(`container runtime contract: ${name}`, () => {
    caseTest('stdin and stdout', async () => {
      const { runtime, spec } = await get()
      const c = runtime.start(spec(fresh(), labels))
      void drain(c.stderr)
      // The agent-runner's answer to input it cannot read: one error frame, exit 1.
      c.stdin.write('not json')
      c.stdin.end()
      const [frames, code] = await Promise.all([framesOf(c), c.exited])
      expect(frames).toEqual([expect.objectContaining({ type: 'error', kind: 'input' })])
      expect(code).toBe(1)
    })

    caseTest('exit removes', async () => {
      const { runtime, spec } = await get()
      const only = { ...labels, 'ngb.case': 'exit' }
      const c = runtime.start(spec(fresh(), only))
      void drain(c.stdout)
      void drain(c.stderr)
      c.stdin.end()
      expect(await c.exited).toBe(1)
      // Started with --rm: an exited container leaves nothing to clean up.
      await listUntil(runtime, only, (names) => !names.includes(c.name), 'the exited container to go')
    })

    caseTest('labels', async () => {
      const mine = { ...labels, 'ngb.case': 'labels' }
      const { runtime, c } = await startWaiting(mine)
      try {
        const [summary] = await runtime.list(mine)
        expect(summary).toMatchObject({ name: c.name, labels: mine, state: 'running' })
        // Every label must match: another value of one of them lists nothing.
        expect(await runtime.list({ ...mine, 'ngb.case': 'other' })).toEqual([])
      } finally {
        await runtime.kill(c.name)
        await c.exited
      }
    })

    caseTest('stop', async () => {
      // Never given its input, the container waits on stdin: only stop ends it.
      const { runtime, c } = await startWaiting(labels)
      await runtime.stop(c.name, 5)
      expect(await c.exited).toBe(143)
    })

    caseTest('kill', async () => {
      const { runtime, c } = await startWaiting(labels)
      await runtime.kill(c.name)
      expect(await c.exited).toBe(137)
    })

    caseTest('remove', async () => {
      const only = { ...labels, 'ngb.case': 'remove' }
      const { runtime, c } = await startWaiting(only)
      await runtime.remove([c.name])
      expect(await c.exited).toBe(137)
      await listUntil(runtime, only, (names) => names.length === 0, 'the removed container to go')
    })

    caseTest('missing containers', async () => {
      const { runtime } = await get()
      // Stopping or removing what is already gone is not an error: shutdown and orphan cleanup race exits.
      const ghost = `ngb-contract-${run}-ghost`
      await runtime.stop(ghost, 1)
      await runtime.kill(ghost)
      await runtime.remove([ghost])
      await runtime.remove([])
      expect(await runtime.list({ ...labels, 'ngb.case': 'ghost' })).toEqual([])
    })
  })
}
