import { expect } from 'bun:test'
import { runSoak } from '../../bench/soak/run.ts'
import { ensureTestImage } from '../helpers/agent-image.ts'
import { dockerTest } from '../helpers/docker.ts'

/**
 * The short soak CI runs (bench/soak.ts is the long one): 200 groups on the three platform fakes,
 * a real `ngb serve`, real mock-agent containers, half a minute of mixed traffic.
 */
dockerTest(
  'soak (30 s): every message answered exactly once, serve exits cleanly, no container left behind',
  async () => {
    const report = await runSoak({ minutes: 0.5, groups: 200, active: 8, image: await ensureTestImage() })
    expect(report.messages.sent).toBeGreaterThan(20)
    expect(report.messages.lostTokens).toEqual([])
    expect(report.messages.duplicatedTokens).toEqual([])
    expect(report.containers.orphansAfterExit).toBe(0)
    expect(report.serveExitCode).toBe(0)
    expect(report.actions.task).toBeGreaterThan(0)
    expect(report.actions.followup).toBeGreaterThan(0)
  },
  180_000,
)
