import { describe, expect, test } from 'bun:test'
import { createTurnTimer } from '../../../src/core/runner/turn-timer.ts'
import { createManualClock } from '../../fakes/manual-clock.ts'

function setup() {
  const clock = createManualClock(0)
  const fired: string[] = []
  const timer = createTurnTimer({
    clock,
    idleMs: 1000,
    hardMs: 3000,
    onIdle: () => fired.push(`idle@${clock.now()}`),
    onHard: () => fired.push(`hard@${clock.now()}`),
  })
  return { clock, fired, timer }
}

describe('turn timer', () => {
  test('both deadlines run from the start when nothing happens', () => {
    const { clock, fired } = setup()
    clock.advance(3000)
    expect(fired).toEqual(['idle@1000', 'hard@3000'])
  })

  const activity = [
    ['output re-arms both deadlines', 'output', ['idle@1900', 'hard@3900']],
    [
      'input re-arms the idle deadline only: only output proves the agent is alive',
      'input',
      ['idle@1900', 'hard@3000'],
    ],
  ] as const
  test.each(activity)('%s', (_name, kind, expected) => {
    const { clock, fired, timer } = setup()
    clock.advance(900)
    timer[kind]()
    clock.advance(900)
    expect(fired).toEqual([])
    clock.advance(3000)
    expect(fired).toEqual([...expected])
  })

  test('nothing fires after stop, and later activity does not re-arm it', () => {
    const { clock, fired, timer } = setup()
    timer.stop()
    timer.output()
    timer.input()
    clock.advance(10_000)
    expect(fired).toEqual([])
    expect(clock.pending()).toEqual([])
  })
})
