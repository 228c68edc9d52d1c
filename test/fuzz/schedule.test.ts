import { describe, expect, test } from 'bun:test'
import { InvalidInputError } from '../../src/core/errors.ts'
import { firstRun, nextRun, resumeRun, type ScheduleSpec } from '../../src/core/scheduler/next-run.ts'
import type { ScheduleType } from '../../src/core/types.ts'
import corpus from './corpus/schedules.json'
import { junk } from './gen.ts'
import { forAll, type Rng } from './prng.ts'

const ITERATIONS = 1500
const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
]

function cronField(rng: Rng, min: number, max: number): string {
  const n = () => rng.int(min, max)
  return rng.pick<() => string>([
    () => '*',
    () => String(n()),
    () => `*/${rng.int(1, max - min + 1)}`,
    () => {
      const a = n()
      return `${a}-${rng.int(a, max)}`
    },
    () => `${n()},${n()}`,
  ])()
}

/** Mostly well-formed schedules (so the "valid" paths are exercised), some plain garbage. */
function randomSpec(rng: Rng): ScheduleSpec {
  const scheduleType = rng.pick<ScheduleType>(['cron', 'interval', 'once'])
  if (rng.bool(0.25)) return { scheduleType, scheduleValue: junk(rng, 25) }
  switch (scheduleType) {
    case 'cron': {
      const fields = [
        cronField(rng, 0, 59),
        cronField(rng, 0, 23),
        cronField(rng, 1, 31),
        cronField(rng, 1, 12),
        cronField(rng, 0, 6),
      ]
      if (rng.bool(0.3)) fields.unshift(cronField(rng, 0, 59))
      return { scheduleType, scheduleValue: fields.join(' ') }
    }
    case 'interval':
      return {
        scheduleType,
        scheduleValue: rng.bool()
          ? String(rng.int(0, 10 ** rng.int(1, 12)))
          : `${rng.int(0, 5000)}${rng.pick(['s', 'm', 'h', 'd'])}`,
      }
    case 'once': {
      const d = new Date(rng.int(0, 4_102_444_800_000)).toISOString()
      const v = rng.pick([
        d,
        d.slice(0, 16),
        d.slice(0, 19).replace('T', ' '),
        `${d.slice(0, 16)}+05:30`,
        'now',
      ])
      return { scheduleType, scheduleValue: v }
    }
  }
}

/** Runs `fn`; an InvalidInputError naming scheduleValue is a clean refusal, anything else fails. */
function orRefused<T>(fn: () => T): T | 'refused' {
  try {
    return fn()
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err
    expect(err.field).toBe('scheduleValue')
    expect(err.message.length).toBeGreaterThan(10)
    return 'refused'
  }
}

function checkSpec(spec: ScheduleSpec, now: number, tz: string) {
  const first = orRefused(() => firstRun(spec, now, tz))
  if (first === 'refused') return
  expect(Number.isFinite(first)).toBe(true)
  expect(first).toBeGreaterThanOrEqual(now)
  if (spec.scheduleType !== 'once') expect(first).toBeGreaterThan(now)
  // After the run at `first` finished (a moment to a day later), the next one lies ahead.
  for (const later of [first, first + 1, first + 86_400_000]) {
    const next = nextRun(spec, first, later, tz)
    if (spec.scheduleType === 'once') expect(next).toBeUndefined()
    else if (next !== undefined) expect(next).toBeGreaterThan(later)
  }
  const resumed = resumeRun(spec, first, now + 3_600_000, tz)
  if (resumed !== undefined) expect(resumed).toBeGreaterThanOrEqual(now + 3_600_000)
}

describe('schedules (property)', () => {
  test('random cron/interval/once strings: refused cleanly or a first run not in the past, and every next run ahead', async () => {
    await forAll('schedule', ITERATIONS, (rng) => {
      const now = rng.int(946_684_800_000, 4_000_000_000_000)
      checkSpec(randomSpec(rng), now, rng.pick(ZONES))
    })
  })

  test.each(corpus.map((c) => [c.type, c.value] as const))('corpus: %s %p', (type, value) => {
    for (const tz of ZONES)
      checkSpec({ scheduleType: type as ScheduleType, scheduleValue: value }, Date.UTC(2026, 11, 6), tz)
  })
})
