import { expect } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compiledBinary } from '../helpers/binary.ts'
import { attachServe } from '../helpers/platforms.ts'
import { spawnNgb } from '../helpers/spawn-ngb.ts'
import { waitFor } from '../helpers/wait.ts'
import type { ContractHarness } from './channel-contract.ts'

/**
 * The compiled binary's `ngb serve` against every harness's fake, in a fresh data dir: a platform
 * whose code the bundle failed to load could not answer, so each must tell an unknown DM that it is
 * not connected. Stops the harnesses and removes the data dir afterwards.
 */
export async function expectBinaryServeAnswers(
  harnesses: ContractHarness[],
  dirPrefix: string,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), dirPrefix))
  const env: Record<string, string> = { NGB_DATA_DIR: dir, NGB_ADMIN_PASSWORD: 'test-admin-password' }
  for (const harness of harnesses) Object.assign(env, harness.serveEnv)
  const bin = spawnNgb(['serve', '--port', '0'], { env, binary: compiledBinary() })
  try {
    await waitFor(() => bin.stdout().includes('Dashboard:'), 'the binary to start', 30_000)
    attachServe(bin.stdout(), harnesses)
    for (const harness of harnesses) {
      harness.injectOtherDm('/help')
      const [reply] = await harness.waitForSent(harness.otherDmJid, 1, 10_000)
      expect(reply).toContain('not connected')
    }
  } finally {
    bin.proc.kill('SIGTERM')
    expect(await bin.exited).toBe(0)
    for (const harness of harnesses) await harness.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
