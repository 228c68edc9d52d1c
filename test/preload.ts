import { setDefaultTimeout } from 'bun:test'

// bunfig.toml's `[test] timeout` is ignored by bun 1.4.5 (tests die at the 5 s default); set it here.
setDefaultTimeout(60_000)

// Computed once per `bun test` run: is a Docker engine reachable? Docker tests skip loudly without
// one, except under CI, where a missing engine is a failure (CI must prove the real thing).
const probe = Bun.spawnSync(
  [process.env.NGB_CONTAINER_CLI ?? 'docker', 'info', '--format', '{{.ServerVersion}}'],
  {
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: 15_000,
  },
)
const reachable = probe.exitCode === 0
process.env.NGB_TEST_DOCKER = reachable ? '1' : '0'
if (!reachable) {
  if (process.env.CI) {
    process.stderr.write('docker unreachable under CI: the container tests must run here. Failing.\n')
    process.exit(1)
  }
  process.stderr.write('docker unreachable: integration tests skipped (start dockerd to run them)\n')
}

// Under CI the browser and terminal tests must run too: their tools are installed by .ci/run.
if (process.env.CI) {
  const missing = [
    ['chromium', process.env.NGB_CHROMIUM ?? '/usr/bin/chromium'],
    ['tmux', Bun.which('tmux')],
  ].filter(([, path]) => !path || !Bun.file(path).size)
  if (missing.length > 0) {
    process.stderr.write(
      `under CI these must be installed: ${missing.map(([n]) => n).join(', ')}. Failing.\n`,
    )
    process.exit(1)
  }
}
