import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import * as v from 'valibot'
import { atomicWriteJson } from '../../src/core/ipc/files.ts'
import type { ContainerInput, OutputFrame } from '../../src/protocol/container.ts'
import { CLOSE_SENTINEL, FollowUpFileSchema, formatFrame, IPC_DIRS } from '../../src/protocol/container.ts'
import type { AgentActions, AgentPaths, ProviderContext } from './provider.ts'

/** Paths inside the container; NGB_AGENT_ROOT prefixes them so the runner can be tested on a host. */
export function agentPaths(env: Record<string, string | undefined>): AgentPaths {
  const root = env.NGB_AGENT_ROOT ?? ''
  return {
    group: `${root}/workspace/group`,
    global: `${root}/workspace/global`,
    ipc: `${root}/workspace/ipc`,
    home: root ? `${root}/home/agent` : (env.HOME ?? '/home/agent'),
  }
}

/** Frames go to stdout; `flush` waits until every written frame reached the pipe. */
export function createEmitter(out: { write(s: string, cb: (err?: Error | null) => void): unknown }) {
  const pending = new Set<Promise<void>>()
  return {
    emit(frame: OutputFrame) {
      const p = new Promise<void>((resolve) => out.write(formatFrame(frame), () => resolve()))
      pending.add(p)
      void p.then(() => pending.delete(p))
    },
    async flush() {
      await Promise.all([...pending])
    },
  }
}

export interface FollowUpOptions {
  inputDir: string
  pollMs?: number
  onInvalid?(file: string, reason: string): void
}

/**
 * Follow-ups written by the host into ipc/input, oldest first; ends at `_close`. Polling is enough
 * here (the host writes atomically) and works on every mount type, where fs events may not.
 */
export async function* followUps(opts: FollowUpOptions): AsyncGenerator<string> {
  const pollMs = opts.pollMs ?? 150
  for (;;) {
    const names = existsSync(opts.inputDir) ? readdirSync(opts.inputDir).sort() : []
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const path = join(opts.inputDir, name)
      let text: string | undefined
      try {
        const parsed = v.safeParse(FollowUpFileSchema, JSON.parse(readFileSync(path, 'utf8')))
        if (parsed.success) text = parsed.output.text
        else opts.onInvalid?.(name, parsed.issues[0].message)
      } catch (error) {
        opts.onInvalid?.(name, (error as Error).message)
      }
      try {
        rmSync(path, { force: true })
      } catch (error) {
        opts.onInvalid?.(name, `could not remove, skipping: ${(error as Error).message}`)
        continue
      }
      if (text !== undefined) yield text
    }
    if (names.includes(CLOSE_SENTINEL)) {
      try {
        rmSync(join(opts.inputDir, CLOSE_SENTINEL), { force: true })
      } catch (error) {
        // The host clears input/ before every run, so a leftover sentinel is harmless.
        opts.onInvalid?.(CLOSE_SENTINEL, `could not remove: ${(error as Error).message}`)
      }
      return
    }
    await Bun.sleep(pollMs)
  }
}

export function createActions(ipcDir: string): AgentActions {
  return {
    sendMessage(action) {
      atomicWriteJson(join(ipcDir, IPC_DIRS.messages), { type: 'message', ...action })
    },
    task(action) {
      atomicWriteJson(join(ipcDir, IPC_DIRS.tasks), action)
    },
  }
}

export function createProviderContext(
  input: ContainerInput,
  paths: AgentPaths,
  emit: (frame: OutputFrame) => void,
  log: (line: string) => void,
): ProviderContext {
  return {
    input,
    paths,
    emit,
    followUps: followUps({
      inputDir: join(paths.ipc, IPC_DIRS.input),
      onInvalid: (file, reason) => log(`ignored follow-up ${file}: ${reason}`),
    }),
    actions: createActions(paths.ipc),
  }
}
