import { describe, expect, test } from 'bun:test'
import { runEngine } from '../../../src/core/container/engine.ts'
import { dockerTest } from '../../helpers/docker.ts'

// runEngine spawns whatever CLI it is given; bun itself stands in for the engine where the test is
// about the plumbing (stdin, timeout), so no container is needed for those.
const BUN = process.execPath

describe('runEngine: the one door to the engine CLI', () => {
  test('a CLI that cannot start is exit 127 with the reason, not a throw', async () => {
    const r = await runEngine('no-such-engine-cli', ['info'])
    expect(r.code).toBe(127)
    expect(r.err).toContain('no-such-engine-cli')
  })

  test('stdin is streamed to the command and its output captured', async () => {
    const input = new Blob(['layer bytes']).stream()
    const r = await runEngine(BUN, ['-e', 'process.stdout.write(await Bun.stdin.text())'], { stdin: input })
    expect(r).toEqual({ code: 0, out: 'layer bytes', err: '' })
  })

  test('a command over its timeout is killed', async () => {
    // Without the kill this command never ends and the test times out.
    const r = await runEngine(BUN, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 300 })
    expect(r.code).not.toBe(0)
  })

  dockerTest('talks to the real engine', async () => {
    const r = await runEngine('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 10_000 })
    expect(r.code).toBe(0)
    expect(r.out.trim()).toMatch(/^\d+\./)
  })
})
