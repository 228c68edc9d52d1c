import { Elysia } from 'elysia'
import type { WebTasksService } from '../services.ts'
import { CreateTaskBody, IdParams, TasksQuery, UpdateTaskBody } from './schemas.ts'

/** /api/tasks: CRUD, pause/resume, run now, run history. */
export function tasksApi(tasks: WebTasksService) {
  return new Elysia({ prefix: '/api/tasks', tags: ['tasks'] })
    .get('/', ({ query }) => tasks.list({ groupFolder: query.group }), { query: TasksQuery })
    .post('/', ({ body, status }) => status(201, tasks.create(body)), { body: CreateTaskBody })
    .get('/:id', ({ params }) => tasks.get(params.id), { params: IdParams })
    .patch('/:id', ({ params, body }) => tasks.updatePrompt(params.id, body.prompt), {
      params: IdParams,
      body: UpdateTaskBody,
    })
    .delete(
      '/:id',
      ({ params, status }) => {
        tasks.remove(params.id)
        return status(204, undefined)
      },
      { params: IdParams },
    )
    .post('/:id/pause', ({ params }) => tasks.pause(params.id), { params: IdParams })
    .post('/:id/resume', ({ params }) => tasks.resume(params.id), { params: IdParams })
    .post('/:id/run', ({ params, status }) => status(202, tasks.runNow(params.id)), { params: IdParams })
    .get('/:id/runs', ({ params }) => tasks.runs(params.id), { params: IdParams })
}
