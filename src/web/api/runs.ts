import { Elysia } from 'elysia'
import type { RunsService, SessionsService } from '../services.ts'
import { FolderParams, IdParams, RunsQuery, SessionResetBody } from './schemas.ts'

/** /api/runs (list, detail with log) and /api/sessions (list, reset). */
export function runsApi(deps: { runs: RunsService; sessions: SessionsService }) {
  return new Elysia({ tags: ['runs'] })
    .get('/api/runs', ({ query }) => deps.runs.list({ groupFolder: query.group, limit: query.limit }), {
      query: RunsQuery,
    })
    .get('/api/runs/:id', ({ params }) => ({ ...deps.runs.get(params.id), log: deps.runs.log(params.id) }), {
      params: IdParams,
    })
    .get('/api/sessions', () => deps.sessions.list())
    .post(
      '/api/sessions/:folder/reset',
      ({ params, body }) => ({ reset: deps.sessions.reset(params.folder, body.scope) }),
      { params: FolderParams, body: SessionResetBody },
    )
}
