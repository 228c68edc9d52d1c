/**
 * One `ngb run` turn with the mock provider in the test image, end to end (CLI start, container,
 * reply, exit): median wall time of 5 after a warm-up; plus the test image's forced build time and size.
 * Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTestImage } from '../src/image/test-image.ts'

const main = join(import.meta.dir, '..', 'src', 'main.ts')
const build = await buildTestImage({ cli: 'docker', force: true })
const size = Bun.spawnSync(['docker', 'image', 'inspect', '--format', '{{.Size}}', build.pinnedTag])
const dataDir = mkdtempSync(join(tmpdir(), 'ngb-bench-'))
const env = {
  ...process.env,
  NGB_DATA_DIR: dataDir,
  NGB_AGENT_PROVIDER: 'mock',
  NGB_CONTAINER_NETWORK: 'none',
  NGB_CONTAINER_IMAGE: build.pinnedTag,
}
function turn(): number {
  const t0 = performance.now()
  const r = Bun.spawnSync([process.execPath, main, 'run', '-g', 'bench', '-p', 'hello'], {
    env,
    stdout: 'pipe',
  })
  if (r.stdout.toString() !== 'mock: hello\n') throw new Error(`unexpected reply: ${r.stdout.toString()}`)
  return performance.now() - t0
}
/** The floor: a bare container of the same image starting Bun and exiting, without ngb. */
function bareContainer(): number {
  const t0 = performance.now()
  const r = Bun.spawnSync(
    [
      'docker',
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      '/usr/local/bin/bun',
      build.pinnedTag,
      '-e',
      '0',
    ],
    { stdout: 'pipe', stderr: 'pipe' },
  )
  if (r.exitCode !== 0) throw new Error(`bare container failed: ${r.stderr.toString()}`)
  return performance.now() - t0
}
try {
  turn()
  const times = Array.from({ length: 5 }, turn).sort((a, b) => a - b)
  const bare = Array.from({ length: 5 }, bareContainer).sort((a, b) => a - b)
  process.stdout.write(
    `${JSON.stringify({
      bench: 'agent-turn',
      turnMedianMs: Math.round(times[2] ?? 0),
      turnMs: times.map(Math.round),
      baselineBareContainerMedianMs: Math.round(bare[2] ?? 0),
      imageBuildMs: Math.round(build.ms),
      imageBytes: Number(size.stdout.toString().trim()),
    })}\n`,
  )
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}
