import { afterAll, expect } from 'bun:test'
import { ensureTestImage } from '../../helpers/agent-image.ts'
import { dockerTest } from '../../helpers/docker.ts'
import { type FaultServe, faultServe, occurrences } from './fixture.ts'

/** CI uses a 20 s outage; NGB_FAULT_OUTAGE_S=60 gives the minute the issue asks about. */
const OUTAGE_MS = Number(process.env.NGB_FAULT_OUTAGE_S ?? 20) * 1000

let f: FaultServe | undefined
afterAll(() => f?.cleanup())

dockerTest(
  `Telegram answers 502 to every send for ${OUTAGE_MS / 1000} s: each reply arrives once after the outage, none lost`,
  async () => {
    f = faultServe({ image: await ensureTestImage(), groups: 3 })
    await f.start()
    f.tg.outage('sendMessage', OUTAGE_MS)
    const started = Date.now()
    for (let i = 0; i < 3; i++) f.inject(i, `during the outage tok${i}x`)
    for (let i = 0; i < 3; i++) {
      const fx = f
      await fx.waitReplies(
        i,
        (r) => occurrences(r, `tok${i}x`) > 0,
        `the reply in chat ${i}`,
        OUTAGE_MS + 120_000,
      )
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(OUTAGE_MS)
    // A send that failed must not have gone out partly: wait for the queue to go quiet, then count.
    f.inject(0, `after tokAfter`)
    await f.waitReplies(0, (r) => occurrences(r, 'tokAfter') > 0, 'the reply after the outage')
    for (let i = 0; i < 3; i++) expect(occurrences(f.replies(i), `tok${i}x`)).toBe(1)
    expect(await f.stop()).toBe(0)
    expect(f.containers(true)).toEqual([])
  },
  300_000,
)
