import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runEngine } from '../core/container/engine.ts'
import { ContainerError, NgbError } from '../core/errors.ts'
import { bundleAgentRunner } from './agent-bundle.ts'

export const PRODUCTION_IMAGE = 'ngb-agent:latest'
export const DOCKERFILE_PATH = join(import.meta.dir, '..', '..', 'container', 'Dockerfile')
/** build.ts embeds container/Dockerfile under this name for the compiled binary. */
export const EMBEDDED_DOCKERFILE_NAME = 'Dockerfile'

async function dockerfileText(): Promise<string> {
  if (existsSync(DOCKERFILE_PATH)) return readFileSync(DOCKERFILE_PATH, 'utf8')
  const hit = Bun.embeddedFiles.find((f) => ((f as File).name ?? '').startsWith(EMBEDDED_DOCKERFILE_NAME))
  if (hit) return await hit.text()
  throw new NgbError('not_found', `container/Dockerfile not found at ${DOCKERFILE_PATH} and none embedded`)
}

/** Writes the build context: the Dockerfile and the bundled agent-runner in agent-runner/. */
export async function prepareBuildContext(
  dir: string = mkdtempSync(join(tmpdir(), 'ngb-build-')),
): Promise<string> {
  writeFileSync(join(dir, 'Dockerfile'), await dockerfileText())
  mkdirSync(join(dir, 'agent-runner'), { recursive: true })
  for (const [name, text] of Object.entries(await bundleAgentRunner())) {
    writeFileSync(join(dir, 'agent-runner', name), text)
  }
  return dir
}

/** `docker build` of the production image; output streams to the given sink (the user's terminal). */
export async function buildProductionImage(opts: {
  cli: string
  tag?: string
  output?: 'inherit' | 'ignore'
  /** Each build output line (then nothing goes to the terminal): `ngb init` condenses them to steps. */
  onLine?: (line: string) => void
}): Promise<{ tag: string; ms: number }> {
  const started = performance.now()
  const tag = opts.tag ?? PRODUCTION_IMAGE
  const dir = await prepareBuildContext()
  try {
    const { code } = await runEngine(opts.cli, ['build', '-t', tag, dir], {
      output: opts.onLine ? 'pipe' : (opts.output ?? 'inherit'),
      onLine: opts.onLine,
    })
    if (code !== 0) {
      throw new ContainerError(
        'exit',
        `${opts.cli} build of ${tag} failed (exit ${code}); it needs the oven/bun base image and the npm registry`,
      )
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return { tag, ms: performance.now() - started }
}
