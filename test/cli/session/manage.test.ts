import { describe, expect, test } from 'bun:test'
import type { ContainerOps, LiveContainer } from '../../../src/cli/session/manage.ts'
import { killSessions, listSessions } from '../../../src/cli/session/manage.ts'
import { testDb } from '../../helpers/db.ts'

function setup() {
  const { repos } = testDb()
  repos.groups.create({ folder: 'main', name: 'main', isMain: true, triggerMode: 'always' }, 1)
  repos.groups.create({ folder: 'fam', name: 'fam', triggerMode: 'mention' }, 1)
  repos.sessions.set('main', 'sess-main', 10, 'cli')
  repos.sessions.set('fam', 'sess-fam', 20)
  repos.runs.start({
    id: 'run-1',
    groupFolder: 'main',
    trigger: 'cli',
    containerName: 'ngb-main-1',
    startedAt: 100,
  })
  repos.runs.start({
    id: 'run-2',
    groupFolder: 'fam',
    trigger: 'message',
    containerName: 'ngb-fam-2',
    startedAt: 200,
  })
  let live: LiveContainer[] = [
    { name: 'ngb-main-1', group: 'main', state: 'running' },
    { name: 'ngb-fam-2', group: 'fam', state: 'running' },
  ]
  const stopped: string[] = []
  const containers: ContainerOps = {
    list: async () => live,
    stop: async (name) => {
      stopped.push(name)
      live = live.filter((c) => c.name !== name)
    },
  }
  return { repos, stopped, deps: { sessions: repos.sessions, runs: repos.runs, containers, now: () => 999 } }
}

describe('session ls / kill', () => {
  test('ls joins the sessions table with the running containers and their runs', async () => {
    const { deps } = setup()
    const l = await listSessions(deps)
    expect(l.sessions.map((s) => [s.groupFolder, s.scope, s.sessionId])).toEqual([
      ['fam', 'group', 'sess-fam'],
      ['main', 'cli', 'sess-main'],
    ])
    expect(l.containers).toEqual([
      { name: 'ngb-main-1', group: 'main', state: 'running', runId: 'run-1', startedAt: 100, trigger: 'cli' },
      {
        name: 'ngb-fam-2',
        group: 'fam',
        state: 'running',
        runId: 'run-2',
        startedAt: 200,
        trigger: 'message',
      },
    ])
  })

  test('kill by group, session id, run id or name stops only those and records the run', async () => {
    for (const target of ['main', 'sess-main', 'run-1', 'ngb-main-1']) {
      const { deps, stopped, repos } = setup()
      expect(await killSessions(target, deps)).toEqual({ stopped: ['ngb-main-1'], recorded: ['run-1'] })
      expect(stopped).toEqual(['ngb-main-1'])
      expect(repos.runs.get('run-1')).toMatchObject({
        status: 'error',
        error: 'stopped by `ngb session kill`',
        finishedAt: 999,
      })
      expect(repos.runs.get('run-2')?.status).toBe('running')
    }
  })

  test('nothing to kill is a not-found error naming what it accepts', async () => {
    const { deps } = setup()
    await expect(killSessions('nobody', deps)).rejects.toThrow('no running container for "nobody"')
  })
})
