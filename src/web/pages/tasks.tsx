import { Elysia } from 'elysia'
import { TaskRow } from '../../../views/components.tsx'
import { TaskDetailPage, TasksPage } from '../../../views/pages/tasks.tsx'
import type { Task } from '../../core/types.ts'
import { CreateTaskBody, IdParams } from '../api/schemas.ts'
import type { AuthGuard } from '../auth/guard.ts'
import type { WebServices } from '../services.ts'
import type { RenderPage } from './render.tsx'
import { fragment } from './render.tsx'

export function tasksPages(deps: { guard: AuthGuard; render: RenderPage; services: WebServices }) {
  const { tasks, groups } = deps.services
  const row = (task: Task) => fragment(<TaskRow task={task} />)
  return new Elysia()
    .use(deps.guard)
    .get('/tasks', ({ principal }) =>
      deps.render(principal, {
        title: 'Tasks',
        active: '/tasks',
        live: '/ws/ui?view=tasks',
        body: <TasksPage tasks={tasks.list()} groups={groups.list()} />,
      }),
    )
    .post('/tasks', ({ body }) => fragment(<TaskRow task={tasks.create(body)} />, 201), {
      body: CreateTaskBody,
    })
    .get(
      '/tasks/:id',
      ({ principal, params }) => {
        const task = tasks.get(params.id)
        return deps.render(principal, {
          title: `Task ${task.id}`,
          active: '/tasks',
          body: <TaskDetailPage task={task} runs={tasks.runs(task.id)} />,
        })
      },
      { params: IdParams },
    )
    .post('/tasks/:id/pause', ({ params }) => row(tasks.pause(params.id)), { params: IdParams })
    .post('/tasks/:id/resume', ({ params }) => row(tasks.resume(params.id)), {
      params: IdParams,
    })
    .post('/tasks/:id/run', ({ params }) => row(tasks.runNow(params.id)), { params: IdParams })
    .delete(
      '/tasks/:id',
      ({ params }) => {
        tasks.remove(params.id)
        return fragment('')
      },
      { params: IdParams },
    )
}
