import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundleAgentRunner } from './agent-bundle.ts'
import { importRootfsImage } from './rootfs.ts'

export const TEST_IMAGE = 'ngb-agent:test'
export const CONTENT_LABEL = 'ngb.content'
/** Bump when the rootfs layout below changes, so cached images are rebuilt. */
const LAYOUT_VERSION = '1'

export interface TestImageOptions {
  cli: string
  tag?: string
  /** The Bun runtime to put in the image; a compiled ngb is one too (with BUN_BE_BUN=1). */
  bunBinary?: string
  force?: boolean
}

export interface ImageBuildResult {
  tag: string
  hash: string
  cached: boolean
  ms: number
}

/** The value of one label of a local image, or undefined if the image is absent. */
export async function imageLabel(cli: string, tag: string, label: string): Promise<string | undefined> {
  const proc = Bun.spawn([cli, 'image', 'inspect', '--format', `{{index .Config.Labels "${label}"}}`, tag], {
    stdout: 'pipe',
    stderr: 'pipe',
    stdin: 'ignore',
  })
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited])
  return code === 0 ? out.trim() : undefined
}

/**
 * Assembles the offline test image with no registry: the Bun runtime, the shared libraries it
 * needs, and the same bundled agent-runner as production, loaded with `docker import`. Skips the
 * work when an image with the same content hash exists.
 */
export async function buildTestImage(opts: TestImageOptions): Promise<ImageBuildResult> {
  const started = performance.now()
  const tag = opts.tag ?? TEST_IMAGE
  const bun = opts.bunBinary ?? process.execPath
  const bundle = await bundleAgentRunner()
  const hash = createHash('sha256')
    .update(LAYOUT_VERSION)
    .update(`${Bun.version}:${Bun.revision}:${statSync(bun).size}`)
    .update(bundle)
    .digest('hex')
    .slice(0, 16)
  if (!opts.force && (await imageLabel(opts.cli, tag, CONTENT_LABEL)) === hash) {
    return { tag, hash, cached: true, ms: performance.now() - started }
  }
  const work = mkdtempSync(join(tmpdir(), 'ngb-image-'))
  try {
    const runner = join(work, 'agent-runner.js')
    writeFileSync(runner, bundle)
    await importRootfsImage({
      cli: opts.cli,
      tag,
      files: [
        { from: bun, to: '/usr/local/bin/bun', mode: 0o755 },
        { from: runner, to: '/app/agent-runner.js', mode: 0o644 },
      ],
      entrypoint: ['/usr/local/bin/bun', '/app/agent-runner.js'],
      // A compiled ngb acts as plain bun with BUN_BE_BUN=1; real bun ignores it.
      env: { BUN_BE_BUN: '1', HOME: '/home/agent', PATH: '/usr/local/bin:/usr/bin:/bin' },
      dirs: ['/workspace/group', '/workspace/global', '/workspace/ipc', '/workspace/extra', '/app'],
      labels: { [CONTENT_LABEL]: hash },
      workdir: '/workspace/group',
    })
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  return { tag, hash, cached: false, ms: performance.now() - started }
}
