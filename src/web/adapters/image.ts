import type { ImageWatch } from '../../core/container/image-watch.ts'
import { NotFoundError } from '../../core/errors.ts'
import type { AgentImageService } from '../services.ts'

export function createWebImage(watch: ImageWatch | undefined): AgentImageService {
  return {
    status: () => watch?.status(),
    build() {
      if (!watch)
        throw new NotFoundError('this server does not run agents (no `ngb serve`), so it builds no image')
      return watch.build()
    },
  }
}
