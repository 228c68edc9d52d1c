import { afterEach, expect } from 'bun:test'
import { ensureTestImage } from '../../helpers/agent-image.ts'
import { dockerTest } from '../../helpers/docker.ts'
import { waitFor } from '../../helpers/wait.ts'
import { type FaultServe, faultServe, occurrences } from './fixture.ts'

let f: FaultServe | undefined
afterEach(async () => {
  await f?.cleanup()
  f = undefined
})

dockerTest(
  'SIGKILL of serve while the agent works: the restarted serve removes the orphan and answers once',
  async () => {
    const fx = faultServe({ image: await ensureTestImage() })
    f = fx
    await fx.start()
    fx.inject(0, '/sleep 4000 tokRun')
    await waitFor(() => fx.containers().length > 0, 'the agent container to run', 30_000)
    await fx.kill()
    // The container outlived serve: that is what the restart has to clean up.
    expect(fx.containers().length).toBe(1)
    await fx.start()
    await fx.waitReplies(0, (r) => occurrences(r, 'tokRun') > 0, 'the answer after the restart', 60_000)
    fx.inject(0, 'next tokNext')
    await fx.waitReplies(0, (r) => occurrences(r, 'tokNext') > 0, 'a later answer')
    expect(occurrences(fx.replies(0), 'tokRun')).toBe(1)
    expect(await fx.stop()).toBe(0)
    expect(fx.containers(true)).toEqual([])
  },
  180_000,
)

dockerTest(
  'SIGKILL of serve between the chunks of a long reply: after the restart the rest follows, nothing twice',
  async () => {
    const fx = faultServe({ image: await ensureTestImage() })
    f = fx
    await fx.start()
    // The mock echoes the message: ~10,000 characters come back as three Telegram chunks.
    const words = Array.from({ length: 1600 }, (_, i) => `w${i}`).join(' ')
    fx.inject(0, `${words} tokEnd`)
    // Hold the second chunk on a 429 with a long retry-after, and kill serve while it waits.
    await fx.tg.calls.waitFor((c) => c.method === 'sendMessage' && c.status === 200, 60_000)
    fx.tg.failNext('sendMessage', { kind: 'rate_limit', retryAfterSeconds: 30 })
    await fx.tg.calls.waitFor((c) => c.method === 'sendMessage' && c.status === 429, 30_000)
    await fx.kill()
    expect(fx.replies(0)).toHaveLength(1)
    await fx.start()
    const replies = await fx.waitReplies(
      0,
      (r) => occurrences(r, 'tokEnd') > 0,
      'the rest of the reply after the restart',
      90_000,
    )
    // Every word exactly once across the chunks the user got, in order.
    const seen = [...replies.join(' ').matchAll(/\bw\d+\b/g)].map((m) => m[0])
    expect(seen).toEqual(Array.from({ length: 1600 }, (_, i) => `w${i}`))
    expect(replies.length).toBeGreaterThanOrEqual(3)
    expect(await fx.stop()).toBe(0)
    expect(fx.containers(true)).toEqual([])
  },
  240_000,
)
