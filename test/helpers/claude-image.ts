import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { BUNDLE_ENTRY, bundleAgentRunner } from '../../src/image/agent-bundle.ts'
import { importRootfsImage } from '../../src/image/rootfs.ts'
import { CONTENT_LABEL, imageLabel } from '../../src/image/test-image.ts'

/**
 * `ngb-agent:claude-test`: the agent-runner with the real Claude Agent SDK and its native `claude`
 * binary, assembled from this checkout's node_modules with no registry (`docker import`). Tests point
 * it at a fake Messages API; it is not a production image (that one comes from container/Dockerfile).
 */
export const CLAUDE_TEST_IMAGE = 'ngb-agent:claude-test'
/** Images older than this with another content hash are removed when a new one is built. */
const STALE_MS = 24 * 60 * 60 * 1000
/** Bump when the layout below changes, so cached images are rebuilt. */
const LAYOUT_VERSION = '1'
const SDK = '@anthropic-ai/claude-agent-sdk'
const NATIVE = `${SDK}-linux-x64`
const REPO = join(import.meta.dir, '..', '..')

/** Enough of a userland for the Bash tool: the CLI insists on bash; tests run coreutils like `env`. */
const TOOLS = [
  'env',
  'cat',
  'ls',
  'mkdir',
  'rm',
  'cp',
  'mv',
  'head',
  'tail',
  'wc',
  'grep',
  'sed',
  'sort',
  'touch',
  'id',
  'uname',
  'date',
  'sleep',
  'tr',
  'cut',
  'dirname',
  'basename',
  'find',
  'xargs',
  'stat',
  'which',
]

export interface ClaudeImageResult {
  tag: string
  hash: string
  cached: boolean
  ms: number
  bytes?: number
}

function packageDir(name: string): string {
  const dir = join(REPO, 'node_modules', name)
  if (!existsSync(join(dir, 'package.json'))) throw new Error(`${name} is not installed: run bun install`)
  return dir
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  )
}

function hostTool(name: string): string | undefined {
  for (const dir of ['/usr/bin', '/bin']) {
    const path = join(dir, name)
    if (existsSync(path)) return path
  }
  return undefined
}

/**
 * Builds `<tag>-<content hash>` unless it exists (the SDK is ~400 MB: seconds, not ms). The hash is in
 * the tag so checkouts sharing one engine (worktrees, CI jobs) never swap each other's image mid-run.
 */
export async function buildClaudeTestImage(
  opts: { cli?: string; tag?: string; force?: boolean } = {},
): Promise<ClaudeImageResult> {
  const started = performance.now()
  const cli = opts.cli ?? 'docker'
  const base = opts.tag ?? CLAUDE_TEST_IMAGE
  // The same bundle as production and ngb-agent:test: the SDK stays external, loaded from node_modules.
  const bundle = await bundleAgentRunner()
  const sdkDir = packageDir(SDK)
  const nativeDir = packageDir(NATIVE)
  const bash = hostTool('bash')
  if (!bash) throw new Error('bash not found on this host: the claude test image copies it')
  const tools = TOOLS.map((t) => hostTool(t)).filter((p): p is string => p !== undefined)
  const sdkVersion = JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8')).version
  const hash = createHash('sha256')
    .update(LAYOUT_VERSION)
    .update(`${Bun.version}:${Bun.revision}:${sdkVersion}`)
    .update([bash, ...tools].map((p) => `${p}:${statSync(p).size}`).join(','))
    .update(JSON.stringify(Object.entries(bundle).sort()))
    .digest('hex')
    .slice(0, 16)
  const tag = `${base}-${hash}`
  if (!opts.force && (await imageLabel(cli, tag, CONTENT_LABEL)) === hash) {
    return { tag, hash, cached: true, ms: performance.now() - started }
  }
  const work = mkdtempSync(join(tmpdir(), 'ngb-claude-image-'))
  try {
    const runnerFiles = Object.entries(bundle).map(([name, text]) => {
      const local = join(work, name)
      writeFileSync(local, text)
      return { from: local, to: `/app/${name}`, mode: 0o644 }
    })
    const modules = (dir: string, name: string) =>
      walk(dir).map((from) => ({ from, to: join('/app/node_modules', name, relative(dir, from)) }))
    await importRootfsImage({
      cli,
      tag,
      files: [
        { from: process.execPath, to: '/usr/local/bin/bun', mode: 0o755 },
        ...runnerFiles,
        ...modules(sdkDir, SDK),
        ...modules(nativeDir, NATIVE).map((f) => ({ ...f, mode: 0o755 })),
        { from: bash, to: '/bin/bash', mode: 0o755 },
        { from: bash, to: '/bin/sh', mode: 0o755 },
        ...tools.map((from) => ({ from, to: join('/usr/bin', from.split('/').at(-1) ?? ''), mode: 0o755 })),
      ],
      entrypoint: ['/usr/local/bin/bun', '--no-install', `/app/${BUNDLE_ENTRY}`],
      env: { HOME: '/home/agent', PATH: '/usr/local/bin:/usr/bin:/bin', SHELL: '/bin/bash', LANG: 'C.UTF-8' },
      dirs: ['/workspace/group', '/workspace/global', '/workspace/ipc', '/workspace/extra', '/app'],
      labels: { [CONTENT_LABEL]: hash },
      workdir: '/workspace/group',
    })
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  removeStale(cli, base, tag)
  return { tag, hash, cached: false, ms: performance.now() - started }
}

/** Removes day-old images of earlier hashes; an image still in use by a container is left alone. */
function removeStale(cli: string, base: string, keep: string): void {
  const [repo, name] = base.split(':')
  const r = Bun.spawnSync(
    [cli, 'images', repo ?? base, '--format', '{{.Repository}}:{{.Tag}}\t{{.CreatedAt}}'],
    { stdout: 'pipe', stderr: 'pipe' },
  )
  for (const line of r.stdout.toString().split('\n')) {
    const [ref, created] = line.split('\t')
    if (!ref || !created || ref === keep || !ref.startsWith(`${repo}:${name}-`)) continue
    const at = Date.parse(
      created
        .replace(/ [A-Z]+$/, '')
        .replace(' +0000', 'Z')
        .replace(' ', 'T'),
    )
    if (Number.isFinite(at) && Date.now() - at > STALE_MS)
      Bun.spawnSync([cli, 'rmi', ref], { stdout: 'ignore', stderr: 'ignore' })
  }
}

/** The image's size in bytes, as the engine reports it. */
export function imageBytes(cli: string, tag: string): number {
  const r = Bun.spawnSync([cli, 'image', 'inspect', '--format', '{{.Size}}', tag], {
    stdout: 'pipe',
    stderr: 'pipe',
  })
  return Number(r.stdout.toString().trim())
}
