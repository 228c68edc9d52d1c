import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runEngine } from '../core/container/engine.ts'
import { ContainerError } from '../core/errors.ts'
import { BUNDLE_ENTRY, bundleAgentRunner } from './agent-bundle.ts'
import { importRootfsImage } from './rootfs.ts'

export const TEST_IMAGE = 'ngb-agent:test'
export const CONTENT_LABEL = 'ngb.content'
/** Bump when the rootfs layout below changes, so cached images are rebuilt. */
const LAYOUT_VERSION = '2'

export interface TestImageOptions {
  cli: string
  tag?: string
  /** The Bun runtime to put in the image; a compiled ngb is one too (with BUN_BE_BUN=1). */
  bunBinary?: string
  force?: boolean
}

export interface ImageBuildResult {
  tag: string
  /** `<tag>-<hash>`: names exactly this content, even if `tag` is later rebuilt from other sources. */
  pinnedTag: string
  hash: string
  cached: boolean
  ms: number
}

/** The value of one label of a local image, or undefined if the image is absent. */
export async function imageLabel(cli: string, tag: string, label: string): Promise<string | undefined> {
  const r = await runEngine(cli, ['image', 'inspect', '--format', `{{index .Config.Labels "${label}"}}`, tag])
  return r.code === 0 ? r.out.trim() : undefined
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
    .update(JSON.stringify(Object.entries(bundle).sort()))
    .digest('hex')
    .slice(0, 16)
  const pinnedTag = `${tag}-${hash}`
  const retag = async () => {
    const r = await runEngine(opts.cli, ['tag', pinnedTag, tag])
    if (r.code !== 0)
      throw new ContainerError('exit', `${opts.cli} tag ${pinnedTag} ${tag} failed: ${r.err.trim()}`)
  }
  if (!opts.force && (await imageLabel(opts.cli, pinnedTag, CONTENT_LABEL)) === hash) {
    if ((await imageLabel(opts.cli, tag, CONTENT_LABEL)) !== hash) await retag()
    return { tag, pinnedTag, hash, cached: true, ms: performance.now() - started }
  }
  const work = mkdtempSync(join(tmpdir(), 'ngb-image-'))
  try {
    const files = [{ from: bun, to: '/usr/local/bin/bun', mode: 0o755 }]
    for (const [name, text] of Object.entries(bundle)) {
      const local = join(work, name)
      writeFileSync(local, text)
      files.push({ from: local, to: `/app/${name}`, mode: 0o644 })
    }
    await importRootfsImage({
      cli: opts.cli,
      tag: pinnedTag,
      files,
      // --no-install: a missing package (the SDK, absent here) must fail, not be fetched from a registry.
      entrypoint: ['/usr/local/bin/bun', '--no-install', `/app/${BUNDLE_ENTRY}`],
      // A compiled ngb acts as plain bun with BUN_BE_BUN=1; real bun ignores it.
      env: { BUN_BE_BUN: '1', HOME: '/home/agent', PATH: '/usr/local/bin:/usr/bin:/bin' },
      dirs: ['/workspace/group', '/workspace/global', '/workspace/ipc', '/workspace/extra', '/app'],
      labels: { [CONTENT_LABEL]: hash },
      workdir: '/workspace/group',
    })
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  await retag()
  return { tag, pinnedTag, hash, cached: false, ms: performance.now() - started }
}
