import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { InvalidInputError, NotFoundError } from '../../core/errors.ts'
import type { AgentRunner } from '../../core/runner/types.ts'
import type { Group } from '../../core/types.ts'
import { ensureCliToken } from '../admin/cli-token.ts'
import { createHttpAdmin } from '../admin/http.ts'
import type { GlobalFlags } from '../context.ts'
import { loadFromFlags } from '../context.ts'
import { note, useColor } from '../output.ts'
import { liveServer } from '../serve-file.ts'
import { connectRemoteRunner } from './remote-runner.ts'
import { runSessionRepl } from './repl.ts'

const HISTORY_LINES = 500

/** Input history shared by all sessions of this data dir, oldest first on disk. */
function loadHistory(file: string): string[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-HISTORY_LINES).reverse()
}

function saveHistory(file: string, newestFirst: string[]): void {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `${[...newestFirst].slice(0, HISTORY_LINES).reverse().join('\n')}\n`, { mode: 0o600 })
}

export interface InteractiveOptions {
  flags: GlobalFlags
  folder?: string
  resume?: string
}

export interface LocalSession {
  group: Group
  runner: AgentRunner
  /** Remember the agent's session id (scope `cli`), so `ngb session ls/resume` find it. */
  remember(sessionId: string): void
  close(): Promise<void>
}

/**
 * `ngb session <group>`: through a running `ngb serve` on this data dir when there is one (so its
 * queue stays the only owner of the group's container), else a container of our own.
 */
export async function runInteractive(
  opts: InteractiveOptions,
  openLocal: (folder: string | undefined) => Promise<LocalSession>,
): Promise<number> {
  const { config } = loadFromFlags(opts.flags)
  const history = join(config.dataDir, 'cli-history')
  const tty = Boolean(process.stdin.isTTY && process.stdout.isTTY)
  const common = {
    input: process.stdin,
    output: process.stdout,
    tty,
    color: useColor(),
    history: loadHistory(history),
  }
  const server = liveServer(config.dataDir)
  if (server) {
    if (opts.resume)
      throw new InvalidInputError(
        `ngb serve (pid ${server.pid}) owns this data dir and continues each group's own session; drop --resume or stop the server`,
      )
    const token = ensureCliToken(config.dataDir)
    const groups = await createHttpAdmin({ url: server.url, token }).listGroups()
    const group = opts.folder ? groups.find((g) => g.folder === opts.folder) : groups.find((g) => g.isMain)
    if (!group)
      throw new NotFoundError(
        opts.folder
          ? `group "${opts.folder}" does not exist (see \`ngb groups ls\`)`
          : 'there is no main group yet; create one with `ngb groups add <folder>`',
      )
    const runner = await connectRemoteRunner({ url: server.url, token, folder: group.folder })
    note(`(through ngb serve at ${server.url}: replies also appear in the dashboard)`)
    try {
      const r = await runSessionRepl({ ...common, group, runner, canInterrupt: false })
      saveHistory(history, r.history)
      return r.code
    } finally {
      runner.close()
    }
  }
  const local = await openLocal(opts.folder)
  try {
    const r = await runSessionRepl({
      ...common,
      group: local.group,
      runner: local.runner,
      resume: opts.resume,
      onSession: local.remember,
    })
    saveHistory(history, r.history)
    if (r.sessionId) note(`session ${r.sessionId}; continue it with: ngb session resume ${r.sessionId}`)
    return r.code
  } finally {
    await local.close()
  }
}
