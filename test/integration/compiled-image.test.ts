import { afterAll, describe, expect, setDefaultTimeout } from 'bun:test'
import { agentSandbox } from '../helpers/agent-image.ts'
import { compiledBinary } from '../helpers/binary.ts'
import { runNgb } from '../helpers/cli.ts'
import { docker, dockerTest } from '../helpers/docker.ts'

// Building the binary (when stale) and importing a rootfs take several seconds.
setDefaultTimeout(120_000)
const TAG = 'ngb-agent:compiled-test'
const box = agentSandbox()
afterAll(() => {
  box.cleanup()
  const tags = docker(['images', '--format', '{{.Repository}}:{{.Tag}}', 'ngb-agent'])
    .out.split('\n')
    .filter((t) => t.startsWith(TAG))
  if (tags.length) docker(['rmi', ...tags])
})

describe('the compiled binary', () => {
  dockerTest('builds the test image from its embedded agent-runner and runs a turn in it', async () => {
    const binary = compiledBinary()
    const build = await runNgb(['image', 'build', '--test', '--tag', TAG, '--force', '--json'], {
      binary,
      env: box.env,
      cwd: '/',
      timeoutMs: 60_000,
    })
    expect(build.stderr).toBe('')
    expect(build.code).toBe(0)
    expect(JSON.parse(build.stdout)).toMatchObject({ tag: TAG, cached: false })
    const run = await runNgb(['run', '-g', 'main', '-p', 'hello', '--image', TAG], {
      binary,
      env: box.env,
      cwd: '/',
    })
    expect(run.stdout).toBe('mock: hello\n')
    expect(run.code).toBe(0)
  })
})
