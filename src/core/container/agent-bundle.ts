import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { NgbError } from '../errors.ts'

/** The agent-runner's source entry, when ngb runs from a checkout. */
export const AGENT_RUNNER_ENTRY = join(
  import.meta.dir,
  '..',
  '..',
  '..',
  'container',
  'agent-runner',
  'main.ts',
)

/** Packages the image provides itself (installed with npm in the production image). */
export const AGENT_RUNNER_EXTERNALS = ['@anthropic-ai/claude-agent-sdk']

/** build.ts embeds the pre-bundled runner under this name so a compiled ngb can build images. */
export const EMBEDDED_BUNDLE_NAME = 'agent-runner.bundle'

async function embeddedBundle(): Promise<string | undefined> {
  const files = Bun.embeddedFiles
  const hit = files.find((f) => (f as File).name?.includes(EMBEDDED_BUNDLE_NAME))
  return hit ? await hit.text() : undefined
}

/** Bundles container/agent-runner (with the shared protocol and valibot) into one JS file for Bun. */
export async function bundleAgentRunner(entry: string = AGENT_RUNNER_ENTRY): Promise<string> {
  if (!existsSync(entry)) {
    const embedded = await embeddedBundle()
    if (embedded) return embedded
    throw new NgbError(
      'not_found',
      `agent-runner source not found at ${entry} and none embedded in this binary`,
    )
  }
  const result = await Bun.build({
    entrypoints: [entry],
    target: 'bun',
    format: 'esm',
    external: AGENT_RUNNER_EXTERNALS,
  })
  const out = result.outputs[0]
  if (!result.success || !out || result.outputs.length !== 1) {
    const why = result.logs.map((l) => l.message).join('; ') || `${result.outputs.length} outputs`
    throw new NgbError('container_failed', `bundling the agent-runner failed: ${why}`)
  }
  return await out.text()
}
