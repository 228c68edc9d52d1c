import { buildProductionImage } from './prod-image.ts'
import { buildTestImage } from './test-image.ts'

/**
 * Builds the image the configured agent needs under `tag`: the offline test image for the mock agent
 * (no registry), else the production image from the Dockerfile. Used by serve's Build button.
 */
export async function buildAgentImage(opts: {
  cli: string
  provider: 'claude' | 'mock'
  tag: string
}): Promise<void> {
  if (opts.provider === 'mock') await buildTestImage({ cli: opts.cli, tag: opts.tag })
  else await buildProductionImage({ cli: opts.cli, tag: opts.tag, output: 'ignore' })
}
