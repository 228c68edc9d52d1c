import { describe, expect, test } from 'bun:test'
import { createImageWatch } from '../../../src/core/container/image-watch.ts'
import { createEventBus, type NgbEvent } from '../../../src/core/events.ts'
import { createManualClock } from '../../fakes/manual-clock.ts'
import { silentLog } from '../../fakes/silent-log.ts'

function setup(opts: { present: boolean; build?: () => Promise<void> }) {
  let present = opts.present
  const clock = createManualClock(0)
  const bus = createEventBus()
  const events: NgbEvent[] = []
  bus.on('image.status', (e) => events.push(e))
  const watch = createImageWatch({
    image: 'ngb-agent:x',
    exists: async () => present,
    buildImage:
      opts.build ??
      (async () => {
        present = true
      }),
    clock,
    log: silentLog(),
    bus,
    pollMs: 1000,
  })
  return {
    watch,
    clock,
    events,
    setPresent: (p: boolean) => {
      present = p
    },
  }
}

const settle = () => new Promise((r) => setTimeout(r, 0))

describe('image watch', () => {
  test('present at once: ready() resolves without a wait and no poll is scheduled', async () => {
    const { watch, clock } = setup({ present: true })
    await watch.ready()
    expect(watch.status().present).toBe(true)
    expect(clock.pending()).toEqual([])
  })

  test('missing: turns wait; an image built elsewhere is seen at the next poll and releases them', async () => {
    const { watch, clock, events, setPresent } = setup({ present: false })
    let released = 0
    const turns = [watch.ready(), watch.ready()].map((p) => p.then(() => released++))
    await settle()
    expect(watch.status()).toEqual({ image: 'ngb-agent:x', present: false, building: false })
    expect(events).toHaveLength(1)
    clock.advance(1000)
    await settle()
    expect(released).toBe(0)
    setPresent(true)
    clock.advance(1000)
    await Promise.all(turns)
    expect(released).toBe(2)
    expect(events.map((e) => (e.type === 'image.status' ? e.present : undefined))).toEqual([false, true])
    expect(clock.pending()).toEqual([])
  })

  test('build(): publishes building, then present; a failed build is reported and turns keep waiting', async () => {
    const ok = setup({ present: false })
    await ok.watch.check()
    await ok.watch.build()
    await ok.watch.ready()
    expect(ok.events.map((e) => e.type === 'image.status' && [e.present, e.building])).toEqual([
      [false, false],
      [false, true],
      [true, false],
    ])

    const bad = setup({ present: false, build: async () => Promise.reject(new Error('no registry')) })
    await bad.watch.check()
    await bad.watch.build()
    expect(bad.watch.status()).toEqual({
      image: 'ngb-agent:x',
      present: false,
      building: false,
      buildError: 'no registry',
    })
    expect(bad.events.at(-1)).toMatchObject({ present: false, building: false, buildError: 'no registry' })
  })
})
