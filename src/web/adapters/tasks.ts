import type { EventBus } from '../../core/events.ts'
import type { TasksService as CoreTasks } from '../../core/tasks.ts'
import type { Repos } from '../../db/repos/index.ts'
import type { WebTasksService } from '../services.ts'

export interface WebTasksDeps {
  core: CoreTasks
  repos: Pick<Repos, 'tasks'>
  bus: EventBus
  now: () => number
}

/** The core tasks service plus "run now" (due immediately; the scheduler picks it up). */
export function createWebTasks(deps: WebTasksDeps): WebTasksService {
  const { core } = deps
  return {
    list: (opts) => core.list(opts),
    get: (id) => core.get(id),
    create: (input) => core.create(input),
    updatePrompt: (id, prompt) => core.update(id, { prompt }),
    pause: (id) => core.pause(id),
    resume: (id) => core.resume(id),
    remove: (id) => {
      core.cancel(id)
    },
    runNow(id) {
      core.get(id)
      const task = deps.repos.tasks.update(id, { status: 'active', nextRunAt: deps.now() })
      deps.bus.publish({ type: 'task.updated', group: task.groupFolder, task })
      return task
    },
    runs: (id, limit) => core.runs(id, limit),
  }
}
