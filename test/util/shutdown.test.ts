import { expect, test } from 'bun:test'
import { createShutdown } from '../../src/util/shutdown.ts'

test('runs steps in reverse order, isolates failures and time-limits hung steps', async () => {
  const order: string[] = []
  const shutdown = createShutdown({ defaultTimeoutMs: 1000 })
  shutdown.add({ name: 'db', run: () => void order.push('db') })
  shutdown.add({
    name: 'broken',
    run: () => {
      order.push('broken')
      throw new Error('boom')
    },
  })
  shutdown.add({ name: 'hung', run: () => new Promise(() => order.push('hung')), timeoutMs: 50 })
  shutdown.add({ name: 'web', run: async () => void order.push('web') })
  const started = performance.now()
  const reports = await shutdown.run('test')
  expect(performance.now() - started).toBeLessThan(1000)
  expect(order).toEqual(['web', 'hung', 'broken', 'db'])
  expect(reports.map((r) => [r.name, r.ok])).toEqual([
    ['web', true],
    ['hung', false],
    ['broken', false],
    ['db', true],
  ])
  expect(reports[1]?.error).toMatch(/did not stop within 50 ms/)
  expect(reports[2]?.error).toBe('boom')
  // A second call returns the same run instead of tearing down twice.
  expect(await shutdown.run('again')).toBe(reports)
})
