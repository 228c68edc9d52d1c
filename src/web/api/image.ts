import { Elysia } from 'elysia'
import type { AgentImageService } from '../services.ts'

/** /api/image: is the agent image there; POST /api/image/build starts building it (202, not awaited). */
export function imageApi(image: AgentImageService) {
  return new Elysia({ tags: ['system'] })
    .get(
      '/api/image',
      ({ status }) =>
        image.status() ?? status(404, { error: 'not_found', message: 'no agent image watch on this server' }),
    )
    .post('/api/image/build', ({ status }) => {
      // The build outlives the request: its end reaches the dashboard as an image.status event.
      void image.build().catch(() => {})
      return status(202, image.status())
    })
}
