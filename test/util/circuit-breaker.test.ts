import { expect, test } from 'bun:test'
import { CircuitOpenError, createCircuitBreaker } from '../../src/util/circuit-breaker.ts'

test('opens after N failures, fails fast, then half-opens for one probe', async () => {
  let now = 0
  const breaker = createCircuitBreaker({ failureThreshold: 2, resetAfterMs: 1000, clock: { now: () => now } })
  const fail = () => Promise.reject(new Error('down'))
  await expect(breaker.run(fail)).rejects.toThrow('down')
  expect(breaker.state).toBe('closed')
  await expect(breaker.run(fail)).rejects.toThrow('down')
  expect(breaker.state).toBe('open')
  let called = false
  await expect(
    breaker.run(async () => {
      called = true
    }),
  ).rejects.toBeInstanceOf(CircuitOpenError)
  expect(called).toBe(false)
  now = 1000
  expect(breaker.state).toBe('half-open')
  await expect(breaker.run(fail)).rejects.toThrow('down')
  expect(breaker.state).toBe('open')
  now = 2500
  expect(await breaker.run(async () => 'up')).toBe('up')
  expect(breaker.state).toBe('closed')
})

test('errors that isFailure rejects do not count, and reset the streak', async () => {
  const breaker = createCircuitBreaker({
    failureThreshold: 2,
    resetAfterMs: 1000,
    clock: { now: () => 0 },
    isFailure: (e) => !(e instanceof Error && e.message === 'no such chat'),
  })
  await expect(breaker.run(() => Promise.reject(new Error('down')))).rejects.toThrow('down')
  await expect(breaker.run(() => Promise.reject(new Error('no such chat')))).rejects.toThrow('no such chat')
  await expect(breaker.run(() => Promise.reject(new Error('down')))).rejects.toThrow('down')
  expect(breaker.state).toBe('closed')
})
