import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs'
import { NotFoundError } from '../../core/errors.ts'
import type { Repos } from '../../db/repos/index.ts'
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

export function readTail(path: string, maxBytes = LOG_TAIL_BYTES): string {
  if (!existsSync(path)) return ''
  const size = statSync(path).size
  const start = Math.max(0, size - maxBytes)
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.alloc(size - start)
    readSync(fd, buf, 0, buf.length, start)
    return buf.toString('utf8')
  } finally {
    closeSync(fd)
  }
}

export function createRepoRuns(repos: Pick<Repos, 'runs'>): RunsService {
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
      return r.logPath ? readTail(r.logPath) : ''
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
