import { afterAll, expect, test } from 'bun:test'
import { ensureTestImage } from '../../helpers/agent-image.ts'
import { HAS_DOCKER } from '../../helpers/docker.ts'
import { waitFor } from '../../helpers/wait.ts'
import { type FaultServe, faultServe, occurrences } from './fixture.ts'
import { canRunPrivateDocker, type PrivateDocker, startPrivateDocker } from './private-docker.ts'

const why = HAS_DOCKER ? canRunPrivateDocker() : 'no Docker engine'
let f: FaultServe | undefined
let d: PrivateDocker | undefined
afterAll(async () => {
  await f?.cleanup()
  await d?.stop()
})

test.skipIf(why !== undefined)(
  `the Docker daemon restarts while an agent runs: the turn is retried and answered once${why ? ` (skipped: ${why})` : ''}`,
  async () => {
    const image = await ensureTestImage()
    const dk = await startPrivateDocker(image)
    d = dk
    const fx = faultServe({
      image,
      env: { DOCKER_HOST: dk.host, NGB_MAX_RETRIES: '8' },
      docker: (a) => dk.docker(a),
    })
    f = fx
    await fx.start()
    fx.inject(0, '/sleep 3000 tokDocker')
    await waitFor(() => fx.containers().length > 0, 'the agent container in the private daemon', 30_000)
    await dk.restart()
    const replies = await fx.waitReplies(
      0,
      (r) => occurrences(r, 'tokDocker') > 0 || r.some((t) => t.includes('could not answer')),
      'an answer or a failure notice after the daemon restart',
      120_000,
    )
    const answered = occurrences(replies, 'tokDocker') > 0
    process.stderr.write(
      `docker restart fault: ${answered ? 'answered after retry' : 'failure notice sent'}\n`,
    )
    // Answered once, or told once that it failed: never silence, never twice.
    expect(
      occurrences(replies, 'tokDocker') + replies.filter((t) => t.includes('could not answer')).length,
    ).toBe(1)
    fx.inject(0, 'afterwards tokAfter')
    await fx.waitReplies(0, (r) => occurrences(r, 'tokAfter') > 0, 'a normal answer afterwards', 60_000)
    expect(occurrences(fx.replies(0), 'tokDocker')).toBeLessThanOrEqual(1)
    expect(await fx.stop()).toBe(0)
    expect(fx.containers(true)).toEqual([])
  },
  300_000,
)
