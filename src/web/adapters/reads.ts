import { relative } from 'node:path'
import { NotFoundError } from '../../core/errors.ts'
import type { Repos } from '../../db/repos/index.ts'
import { safeRead, UnsafePathError } from '../../util/safe-fs/index.ts'
import type { ChatsService, RunsService, SessionsService } from '../services.ts'

/** Read-only views over the repos: chats and messages, runs and their logs, agent sessions. */

const LOG_TAIL_BYTES = 256 * 1024

export function createRepoChats(repos: Pick<Repos, 'chats' | 'messages'>): ChatsService {
  return {
    list: (opts) => repos.chats.list(opts),
    messages: (jid, opts) => repos.messages.page(jid, opts),
    search: (text, opts) => repos.messages.search(text, opts),
  }
}

/**
 * The tail of a run log. Run logs live in the agent's workspace (groups/<folder>/logs), so the
 * read goes through safe-fs from the trusted groups root: a log the agent replaced by a link to
 * a host file shows a note, not that file.
 */
export function readTail(groupsDir: string, path: string, maxBytes = LOG_TAIL_BYTES): string {
  const rel = relative(groupsDir, path)
  if (rel.startsWith('..') || rel.startsWith('/')) return '(the run log is outside the groups directory)'
  try {
    return safeRead(groupsDir, rel, maxBytes, { tail: true })?.text ?? ''
  } catch (err) {
    if (err instanceof UnsafePathError) return `(run log refused: ${err.reason})`
    throw err
  }
}

export function createRepoRuns(repos: Pick<Repos, 'runs'>, groupsDir: string): RunsService {
  const get = (id: string) => {
    const r = repos.runs.get(id)
    if (!r) throw new NotFoundError(`run "${id}" does not exist`)
    return r
  }
  return {
    list: (opts) => repos.runs.list(opts),
    running: () => repos.runs.running(),
    get,
    log: (id) => {
      const r = get(id)
      return r.logPath ? readTail(groupsDir, r.logPath) : ''
    },
  }
}

/** `requireGroup` is the core's check (core/groups.ts), so an unknown group reads as on the CLI. */
export function createRepoSessions(
  repos: Pick<Repos, 'sessions'>,
  requireGroup: (folder: string) => unknown,
): SessionsService {
  return {
    list: () => repos.sessions.list(),
    reset(folder, scope) {
      requireGroup(folder)
      return repos.sessions.clear(folder, scope)
    },
  }
}
