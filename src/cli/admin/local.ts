import { dataPaths, defaultConfigDir } from '../../config/paths.ts'
import type { Config } from '../../config/schema.ts'
import { allowlistPath } from '../../core/container/allowlist.ts'
import { createMountPolicy } from '../../core/container/mount-policy.ts'
import { createEventBus } from '../../core/events.ts'
import { createGroupsService } from '../../core/groups.ts'
import { createTasksService } from '../../core/tasks.ts'
import { usageReport } from '../../core/usage/report.ts'
import { openDatabase } from '../../db/open.ts'
import { createRepos } from '../../db/repos/index.ts'
import { systemClock } from '../../util/clock.ts'
import type { Admin } from './admin.ts'

/**
 * The admin over the database, for when no `ngb serve` runs on this data dir. Opens only SQLite and
 * the core services (not the runtime: no web app, channels or log sinks), so a listing stays fast.
 */
export function createLocalAdmin(config: Pick<Config, 'dataDir' | 'timezone'>): Admin {
  const paths = dataPaths(config.dataDir)
  const db = openDatabase(paths.db)
  const repos = createRepos(db)
  const bus = createEventBus()
  const configDir = defaultConfigDir(process.env)
  const mounts = createMountPolicy({
    allowlistFile: allowlistPath(configDir),
    home: process.env.HOME ?? configDir,
    protectedPaths: [paths.dataDir, configDir],
  })
  const groups = createGroupsService({
    repos,
    bus,
    clock: systemClock,
    groupsDir: paths.groups,
    checkMount: mounts.check,
  })
  const tasks = createTasksService({
    tasks: repos.tasks,
    groups: repos.groups,
    chats: repos.chats,
    bus,
    clock: systemClock,
    timezone: config.timezone,
  })
  return {
    via: `database ${paths.db}`,
    listGroups: async () => groups.list().map((g) => ({ ...g, chats: repos.chats.chatsOf(g.folder) })),
    addGroup: async (input) => groups.createGroup(input),
    removeGroup: async (folder, opts) => groups.removeGroup(folder, opts),
    bind: async (folder, jid, opts) => groups.bind(jid, folder, opts),
    unbind: async (jid) => groups.unbind(jid),
    createBindToken: async (folder, ttlMs) => groups.createBindToken(folder, ttlMs),
    listChats: async (opts) => repos.chats.list(opts),
    async setExtraMounts(folder, extraMounts) {
      const current = groups.require(folder)
      return groups.updateGroup(folder, { settings: { ...current.settings, extraMounts } })
    },
    usage: async (query) => usageReport(repos.usage, query, Date.now(), config.timezone),
    async setBudget(folder, budget) {
      const { budget: _, ...rest } = groups.require(folder).settings
      return groups.updateGroup(folder, { settings: budget ? { ...rest, budget } : rest })
    },
    async resetSession(folder) {
      groups.require(folder)
      return repos.sessions.clear(folder)
    },
    listTasks: async (opts) => tasks.list(opts),
    addTask: async (input) => tasks.create(input),
    pauseTask: async (id) => tasks.pause(id),
    resumeTask: async (id) => tasks.resume(id),
    removeTask: async (id) => tasks.cancel(id),
    taskRuns: async (id, limit) => tasks.runs(id, limit),
    close: () => db.close(),
  }
}
