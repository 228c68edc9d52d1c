import { NotFoundError } from '../../core/errors.ts'
import type { Run } from '../../core/types.ts'
import type { RunsRepo } from '../../db/repos/runs.ts'
import type { SessionRecord, SessionsRepo } from '../../db/repos/sessions.ts'

export interface LiveContainer {
  name: string
  group?: string
  state: string
}

/** The slice of the container runtime that `session ls/kill` need. */
export interface ContainerOps {
  /** Containers of this install (label ngb.install=<id>). */
  list(): Promise<LiveContainer[]>
  stop(name: string): Promise<void>
}

export interface ManageDeps {
  sessions: Pick<SessionsRepo, 'list'>
  runs: Pick<RunsRepo, 'running' | 'finish'>
  containers: ContainerOps
  now(): number
}

export interface SessionListing {
  sessions: SessionRecord[]
  containers: Array<LiveContainer & { runId?: string; startedAt?: number; trigger?: string }>
}

/** Real sessions (the sessions table, every scope) and this install's running containers. */
export async function listSessions(deps: ManageDeps): Promise<SessionListing> {
  const running = new Map(deps.runs.running().map((r) => [r.containerName, r]))
  const live = await deps.containers.list()
  return {
    sessions: deps.sessions.list(),
    containers: live.map((c) => {
      const run = running.get(c.name)
      return {
        ...c,
        group: c.group ?? run?.groupFolder,
        runId: run?.id,
        startedAt: run?.startedAt,
        trigger: run?.trigger,
      }
    }),
  }
}

export interface KillResult {
  stopped: string[]
  /** Runs closed as killed in the runs table. */
  recorded: string[]
}

/**
 * Stops the containers of a group, a session (its group's), a run or one container by name, and
 * records each run as ended by `ngb session kill` so the history says why it stopped.
 */
export async function killSessions(target: string, deps: ManageDeps): Promise<KillResult> {
  const sessionGroup = deps.sessions.list().find((s) => s.sessionId === target)?.groupFolder
  const live = await deps.containers.list()
  const runs = deps.runs.running()
  const runOf = (name: string): Run | undefined => runs.find((r) => r.containerName === name)
  const matches = live.filter((c) => {
    const group = c.group ?? runOf(c.name)?.groupFolder
    return c.name === target || group === target || group === sessionGroup || runOf(c.name)?.id === target
  })
  if (matches.length === 0) {
    throw new NotFoundError(
      `no running container for "${target}" (a group, session id, run id or container name; see \`ngb session ls\`)`,
    )
  }
  const result: KillResult = { stopped: [], recorded: [] }
  for (const c of matches) {
    await deps.containers.stop(c.name)
    result.stopped.push(c.name)
    const run = runOf(c.name)
    if (run) {
      deps.runs.finish(run.id, {
        finishedAt: deps.now(),
        status: 'error',
        error: 'stopped by `ngb session kill`',
        bytesOut: run.bytesOut,
      })
      result.recorded.push(run.id)
    }
  }
  return result
}
