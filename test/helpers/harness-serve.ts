import { afterAll, beforeAll, expect } from 'bun:test'
import { buildTestImage } from '../../src/image/test-image.ts'
import type { ContractHarness } from '../contract/channel-contract.ts'
import { type AgentSandbox, agentSandbox } from './agent-image.ts'
import { HAS_DOCKER } from './docker.ts'
import { attachServe } from './platforms.ts'
import { type LiveNgb, startServe, stopNgb } from './spawn-ngb.ts'

/**
 * What the serve-level platform tests share: a sandbox running the mock agent in ngb-agent:test
 * containers, and `ngb serve` started with every harness's environment and stopped with a figure line.
 */

/**
 * The sandbox, with the image built before the file's tests and the sandbox removed after them.
 * NGB_TEST_IMAGE picks a private tag where other checkouts share the engine and rebuild it.
 */
export function mockAgentBox(): AgentSandbox {
  const image = process.env.NGB_TEST_IMAGE ?? 'ngb-agent:test'
  const box = agentSandbox({ NGB_CONTAINER_IMAGE: image })
  beforeAll(async () => {
    if (HAS_DOCKER) await buildTestImage({ cli: 'docker', tag: image })
  }, 120_000)
  afterAll(() => box.cleanup())
  return box
}

/** Starts serve with the harnesses' environments merged (in order); webhook fakes then post to it. */
export async function startHarnessServe(box: AgentSandbox, harnesses: ContractHarness[]): Promise<LiveNgb> {
  const serve = await startServe({
    ...box.env,
    NGB_ADMIN_PASSWORD: 'test-admin-password',
    ...Object.assign({}, ...harnesses.map((h) => h.serveEnv)),
  })
  attachServe(serve.stdout(), harnesses)
  return serve
}

/** Serve exits cleanly, the harnesses stop, and the measured figures are printed as one JSON line. */
export async function stopHarnessServe(
  serve: LiveNgb,
  harnesses: ContractHarness[],
  figures: Record<string, unknown>,
): Promise<void> {
  expect(await stopNgb(serve)).toBe(0)
  for (const h of harnesses) await h.stop()
  process.stdout.write(`${JSON.stringify(figures)}\n`)
}
