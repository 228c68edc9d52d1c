import { afterAll, expect } from 'bun:test'
import { readFileSync } from 'node:fs'
import { ensureTestImage } from '../../helpers/agent-image.ts'
import { dockerTest } from '../../helpers/docker.ts'
import { type FaultServe, faultServe, occurrences } from './fixture.ts'

let f: FaultServe | undefined
afterAll(() => f?.cleanup())

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024

dockerTest(
  'a container floods stdout: noise under the cap is ignored; past it the run is stopped, retried, and the user told once',
  async () => {
    const fx = faultServe({
      image: await ensureTestImage(),
      env: { NGB_MAX_OUTPUT_BYTES: String(2 * 1024 * 1024), NGB_MAX_RETRIES: '1' },
    })
    f = fx
    await fx.start()
    const pid = fx.serve().proc.pid
    fx.inject(0, '/flood 1000000 tokQuiet')
    await fx.waitReplies(0, (r) => occurrences(r, 'tokQuiet') > 0, 'the answer after 1 MB of noise', 60_000)

    fx.inject(0, '/flood 200000000 tokLoud')
    const notice = (r: string[]) => r.filter((t) => t.includes('could not answer')).length
    const replies = await fx.waitReplies(0, (r) => notice(r) > 0, 'the failure notice', 120_000)
    expect(replies.join('\n')).toContain('more than 2097152 bytes')
    expect(occurrences(replies, 'tokLoud')).toBe(0)
    // The noise was never held in memory: serve stays small.
    expect(rssMb(pid)).toBeLessThan(400)

    // The kept flood message is not replayed: the next turn answers the newest message only.
    fx.inject(0, 'calm again tokCalm')
    const after = await fx.waitReplies(
      0,
      (r) => occurrences(r, 'tokCalm') > 0,
      'a normal answer afterwards',
      60_000,
    )
    expect(notice(after)).toBe(1)
    expect(occurrences(after, 'tokQuiet')).toBe(1)
    expect(await fx.stop()).toBe(0)
    expect(fx.containers(true)).toEqual([])
  },
  300_000,
)
