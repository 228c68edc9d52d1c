import type { Config } from '../../config/schema.ts'
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
  const runner = app.unavailableRunner('the container runner is not part of this build yet')
  return {
    group,
    runner,
    remember: (sessionId) => rt.repos.sessions.set(group.folder, sessionId, rt.clock.now(), 'cli'),
    close: async () => {
      await rt.shutdown.run('session ended')
    },
  }
}

async function cli(
  config: Pick<Config, 'containerCli'>,
  args: string[],
): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn([config.containerCli, ...args], { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited])
  return { code, out }
}

/** This install's containers, by label; stop = the engine's graceful stop. */
export function containerOps(config: Pick<Config, 'containerCli'>, installId: string): ContainerOps {
  return {
    async list(): Promise<LiveContainer[]> {
      const r = await cli(config, [
        'ps',
        '--filter',
        `label=ngb.install=${installId}`,
        '--format',
        '{{.Names}}\t{{.Label "ngb.group"}}\t{{.State}}',
      ])
      if (r.code !== 0) return []
      return r.out
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [name = '', group = '', state = ''] = line.split('\t')
          return { name, group: group || undefined, state }
        })
    },
    async stop(name) {
      await cli(config, ['stop', '-t', '5', name])
    },
  }
}
