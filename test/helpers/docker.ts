import { test } from 'bun:test'

export const HAS_DOCKER = process.env.NGB_TEST_DOCKER === '1'

/** Declares a test that needs a real Docker engine; skipped (with a notice from the preload) otherwise. */
export const dockerTest = test.skipIf(!HAS_DOCKER)

export function docker(args: string[], opts: { stdin?: string } = {}) {
  const r = Bun.spawnSync(['docker', ...args], {
    stdout: 'pipe',
    stderr: 'pipe',
    stdin: opts.stdin === undefined ? 'ignore' : new TextEncoder().encode(opts.stdin),
  })
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() }
}
