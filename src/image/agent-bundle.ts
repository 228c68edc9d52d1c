import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { NgbError } from '../core/errors.ts'

/** The agent-runner's source entry, when ngb runs from a checkout. */
export const AGENT_RUNNER_ENTRY = join(import.meta.dir, '..', '..', 'container', 'agent-runner', 'main.ts')

/** Packages the image provides itself (installed in the production image, absent from the test image). */
export const AGENT_RUNNER_EXTERNALS = ['@anthropic-ai/claude-agent-sdk']

/** The entry file of the bundle; run it with `bun /app/main.js`. */
export const BUNDLE_ENTRY = 'main.js'

/** Relative file name → contents. Chunks stay separate so a provider loads only when chosen. */
export type AgentBundle = Record<string, string>

async function embeddedBundle(): Promise<AgentBundle | undefined> {
  // Embedded names get a hash: agent-runner-<hash>.bundle.
  const hit = Bun.embeddedFiles.find((f) => /^agent-runner-?[\w]*\.bundle$/.test((f as File).name ?? ''))
  return hit ? (JSON.parse(await hit.text()) as AgentBundle) : undefined
}

/**
 * Bundles container/agent-runner (with the shared protocol and valibot) for Bun. Code splitting keeps
 * each provider in its own chunk, so the SDK is imported only when the claude provider is chosen:
 * the test image runs the same files and reports a clear error for claude instead of failing at start.
 */
export async function bundleAgentRunner(entry: string = AGENT_RUNNER_ENTRY): Promise<AgentBundle> {
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
    splitting: true,
    external: AGENT_RUNNER_EXTERNALS,
    naming: { entry: '[name].[ext]', chunk: 'chunk-[hash].[ext]' },
  })
  if (!result.success) {
    const why = result.logs.map((l) => l.message).join('; ')
    throw new NgbError('container_failed', `bundling the agent-runner failed: ${why}`)
  }
  const files: AgentBundle = {}
  for (const out of result.outputs) files[out.path.replace(/^\.\//, '')] = await out.text()
  if (!files[BUNDLE_ENTRY])
    throw new NgbError('container_failed', `the agent-runner bundle has no ${BUNDLE_ENTRY}`)
  return files
}
