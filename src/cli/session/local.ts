import type { ContainerRuntime } from '../../core/container/runtime.ts'
import { NotFoundError } from '../../core/errors.ts'
import type { GlobalFlags } from '../context.ts'
import { loadFromFlags } from '../context.ts'
import type { LocalSession } from './interactive.ts'
import type { ContainerOps, LiveContainer } from './manage.ts'

/**
 * A session's own container when no `ngb serve` runs: the runtime (database, logs to the file only,
 * so the chat stays clean) and the production agent runner from the composition root.
 */
export async function openLocalSession(
  flags: GlobalFlags,
  folder: string | undefined,
): Promise<LocalSession> {
  const app = await import('../../app.ts')
  const rt = app.createRuntime({ loaded: loadFromFlags(flags), consoleStream: null })
  const group = folder ? rt.repos.groups.get(folder) : rt.repos.groups.main()
  if (!group) {
    await rt.shutdown.run('no group')
    throw new NotFoundError(
      folder
        ? `group "${folder}" does not exist (see \`ngb groups ls\`)`
        : 'there is no main group yet; create one with `ngb groups add <folder>`',
    )
  }
  const runner = app.createRunner(rt)
  return {
    group,
    runner,
    remember: (sessionId) => rt.repos.sessions.set(group.folder, sessionId, rt.clock.now(), 'cli'),
    close: async () => {
      await rt.shutdown.run('session ended')
    },
  }
}

/** This install's containers (label ngb.install=<id>), through the runtime app.ts picks. */
export function containerOps(runtime: ContainerRuntime, installId: string): ContainerOps {
  return {
    async list(): Promise<LiveContainer[]> {
      const all = await runtime.list({ 'ngb.install': installId })
      return all
        .filter((c) => c.state === 'running')
        .map((c) => ({ name: c.name, group: c.labels['ngb.group'], state: c.state }))
    },
    stop: (name) => runtime.stop(name, 5),
  }
}
