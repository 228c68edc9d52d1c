import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import * as v from 'valibot'
import type { AttachmentRef } from '../../src/protocol/attachments.ts'
import type { ContainerInput, OutputFrame } from '../../src/protocol/container.ts'
import {
  CLOSE_SENTINEL,
  FollowUpFileSchema,
  formatFrame,
  INTERRUPT_SENTINEL,
  IPC_DIRS,
} from '../../src/protocol/container.ts'
import { atomicWriteJson } from '../../src/protocol/ipc-files.ts'
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
  /** Receives the files a follow-up carries, keyed by its text (see ProviderContext.attachmentsOf). */
  onAttachments?(text: string, attachments: AttachmentRef[]): void
}

/** Reads and deletes one follow-up file; undefined if it was invalid (reported) or not removable. */
function takeFollowUp(
  inputDir: string,
  name: string,
  opts: Pick<FollowUpOptions, 'onInvalid' | 'onAttachments'>,
) {
  const { onInvalid } = opts
  const path = join(inputDir, name)
  let text: string | undefined
  try {
    const parsed = v.safeParse(FollowUpFileSchema, JSON.parse(readFileSync(path, 'utf8')))
    if (parsed.success) {
      text = parsed.output.text
      if (parsed.output.attachments?.length) opts.onAttachments?.(text, parsed.output.attachments)
    } else onInvalid?.(name, parsed.issues[0].message)
  } catch (error) {
    onInvalid?.(name, (error as Error).message)
  }
  try {
    rmSync(path, { force: true })
  } catch (error) {
    onInvalid?.(name, `could not remove, skipping: ${(error as Error).message}`)
    return undefined
  }
  return text
}

const pendingNames = (inputDir: string) =>
  (existsSync(inputDir) ? readdirSync(inputDir).sort() : []).filter((n) => n.endsWith('.json'))

/**
 * Follow-ups already waiting when the agent starts: messages that arrived while the container was
 * starting. They join the first prompt, so a quick burst of messages is one turn, not several.
 */
export function drainPending(opts: FollowUpOptions): string[] {
  return pendingNames(opts.inputDir).flatMap((name) => {
    const text = takeFollowUp(opts.inputDir, name, opts)
    return text === undefined ? [] : [text]
  })
}

/**
 * Follow-ups written by the host into ipc/input, oldest first; ends at `_close`. Polling is enough
 * here (the host writes atomically) and works on every mount type, where fs events may not.
 */
export async function* followUps(opts: FollowUpOptions): AsyncGenerator<string> {
  const pollMs = opts.pollMs ?? 150
  for (;;) {
    const all = existsSync(opts.inputDir) ? readdirSync(opts.inputDir) : []
    for (const name of pendingNames(opts.inputDir)) {
      const text = takeFollowUp(opts.inputDir, name, opts)
      if (text !== undefined) yield text
    }
    if (all.includes(CLOSE_SENTINEL)) {
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

/**
 * Watches for `input/_interrupt` (polling, like follow-ups) while anyone listens; each sentinel is
 * removed and reported once. The timer is unref'd so it never keeps the runner alive.
 */
export function createInterruptWatch(inputDir: string, pollMs = 100) {
  const listeners = new Set<() => void>()
  let timer: ReturnType<typeof setInterval> | undefined
  const check = () => {
    const file = join(inputDir, INTERRUPT_SENTINEL)
    if (!existsSync(file)) return
    rmSync(file, { force: true })
    for (const listener of [...listeners]) listener()
  }
  return (listener: () => void): (() => void) => {
    // A sentinel left from before this turn was meant for a turn that had already ended.
    if (listeners.size === 0) rmSync(join(inputDir, INTERRUPT_SENTINEL), { force: true })
    listeners.add(listener)
    if (!timer) {
      timer = setInterval(check, pollMs)
      timer.unref?.()
    }
    return () => {
      listeners.delete(listener)
      if (listeners.size === 0 && timer) {
        clearInterval(timer)
        timer = undefined
      }
    }
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
    sendFile(action) {
      atomicWriteJson(join(ipcDir, IPC_DIRS.messages), { type: 'file', ...action })
    },
  }
}

export function createProviderContext(
  input: ContainerInput,
  paths: AgentPaths,
  emit: (frame: OutputFrame) => void,
  log: (line: string) => void,
): ProviderContext {
  const inputDir = join(paths.ipc, IPC_DIRS.input)
  const onInvalid = (file: string, reason: string) => log(`ignored follow-up ${file}: ${reason}`)
  const byText = new Map<string, AttachmentRef[]>()
  const onAttachments = (text: string, list: AttachmentRef[]) => byText.set(text, list)
  const early = drainPending({ inputDir, onInvalid, onAttachments })
  const first: ContainerInput = early.length
    ? {
        ...input,
        prompt: [input.prompt, ...early].join('\n'),
        attachments: [...(input.attachments ?? []), ...early.flatMap((t) => byText.get(t) ?? [])],
      }
    : input
  return {
    input: first,
    attachmentsOf(prompt) {
      if (prompt === first.prompt) return first.attachments ?? []
      const list = byText.get(prompt) ?? []
      byText.delete(prompt)
      return list
    },
    paths,
    emit,
    followUps: followUps({ inputDir, onInvalid, onAttachments }),
    actions: createActions(paths.ipc),
    onInterrupt: createInterruptWatch(inputDir),
  }
}
