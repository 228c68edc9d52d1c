import type { Database } from 'bun:sqlite'
import { createApiTokensRepo, createUsersRepo, createWebSessionsRepo } from './auth.ts'
import { createBindTokensRepo } from './bind-tokens.ts'
import { createBudgetNoticesRepo } from './budget-notices.ts'
import { createChatsRepo } from './chats.ts'
import { createCursorsRepo } from './cursors.ts'
import { createGroupsRepo } from './groups.ts'
import { createMessagesRepo } from './messages.ts'
import { createMetaRepo } from './meta.ts'
import { createPluginStateRepo } from './plugin-state.ts'
import { createReplyProgressRepo } from './reply-progress.ts'
import { createRunsRepo } from './runs.ts'
import { createSessionsRepo } from './sessions.ts'
import { createTasksRepo } from './tasks.ts'
import { createUsageRepo } from './usage.ts'

export function createRepos(db: Database) {
  return {
    groups: createGroupsRepo(db),
    chats: createChatsRepo(db),
    bindTokens: createBindTokensRepo(db),
    messages: createMessagesRepo(db),
    sessions: createSessionsRepo(db),
    cursors: createCursorsRepo(db),
    tasks: createTasksRepo(db),
    runs: createRunsRepo(db),
    usage: createUsageRepo(db),
    budgetNotices: createBudgetNoticesRepo(db),
    meta: createMetaRepo(db),
    pluginState: createPluginStateRepo(db),
    replyProgress: createReplyProgressRepo(db),
    users: createUsersRepo(db),
    webSessions: createWebSessionsRepo(db),
    apiTokens: createApiTokensRepo(db),
  }
}

export type Repos = ReturnType<typeof createRepos>
