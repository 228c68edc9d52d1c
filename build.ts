/**
 * `bun run build` → dist/ngb-<target> for each requested target, plus SHA256SUMS.
 * Usage: bun build.ts [--all | --target linux-x64,linux-arm64,darwin-x64,darwin-arm64,windows-x64]
 *                     [--outdir dist] [--version 1.2.3]
 *
 * The out dir holds exactly the binaries and SHA256SUMS over all of them; source maps go to
 * <outdir>/sourcemaps/ with their own SHA256SUMS. `--all` starts from an empty out dir, so a release
 * directory never carries a stale binary. `--version` overrides package.json's (upgrade tests build
 * two versions from one checkout).
 *
 * --bytecode halves cold start; it needs --format=esm (consola's import.meta breaks the CJS default,
 * and the build still exits 0), so the smoke run after each build is what proves the binary works.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import pkg from './package.json' with { type: 'json' }

const ALL = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'windows-x64'] as const
type Target = (typeof ALL)[number]

interface BuildOptions {
  targets: Target[]
  outDir: string
  version: string
  clean: boolean
}

function hostTarget(): Target {
  const os = process.platform === 'win32' ? 'windows' : process.platform
  return `${os}-${process.arch}` as Target
}

function flagValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name)
  if (i === -1) return undefined
  const value = argv[i + 1]
  if (!value || value.startsWith('--')) throw new Error(`${name} needs a value`)
  return value
}

function parseOptions(argv: string[]): BuildOptions {
  const all = argv.includes('--all')
  const wanted = flagValue(argv, '--target')?.split(',').filter(Boolean)
  for (const t of wanted ?? []) {
    if (!(ALL as readonly string[]).includes(t))
      throw new Error(`unknown target "${t}"; expected one of ${ALL.join(', ')}`)
  }
  const version = flagValue(argv, '--version') ?? pkg.version
  if (!/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(version))
    throw new Error(`--version "${version}" is not a semantic version like 1.2.3`)
  return {
    targets: all ? [...ALL] : ((wanted as Target[] | undefined) ?? [hostTarget()]),
    outDir: resolve(flagValue(argv, '--outdir') ?? 'dist'),
    version,
    clean: all,
  }
}

function gitCommit(): string {
  const r = Bun.spawnSync(['git', 'rev-parse', '--short=12', 'HEAD'], { stdout: 'pipe', stderr: 'ignore' })
  return r.exitCode === 0 ? r.stdout.toString().trim() : 'unknown'
}

/**
 * The agent-runner bundle and the production Dockerfile travel inside the binary, so a compiled ngb
 * can build both images (`ngb image build [--test]`) with no checkout.
 */
async function agentAssets(stageDir: string): Promise<string[]> {
  const { bundleAgentRunner } = await import('./src/image/agent-bundle.ts')
  const bundle = join(stageDir, 'agent-runner.bundle')
  writeFileSync(bundle, JSON.stringify(await bundleAgentRunner()))
  return [bundle, 'container/Dockerfile']
}

function binaryName(target: Target): string {
  return `ngb-${target}${target.startsWith('windows') ? '.exe' : ''}`
}

/** Compiles one target in a private staging dir; returns the binary's and its source map's paths. */
function compile(target: Target, opts: BuildOptions, assets: string[]): { binary: string; map: string } {
  // Staged inside the out dir: a rename across file systems would fail, and the maps Bun writes
  // beside the binary (one per embedded asset too) must not land in the release dir.
  const stage = mkdtempSync(join(opts.outDir, `.stage-${target}-`))
  const outfile = join(stage, binaryName(target))
  const cmd = [
    process.execPath,
    'build',
    '--compile',
    '--minify',
    '--sourcemap',
    '--bytecode',
    '--format=esm',
    '--no-compile-autoload-dotenv',
    '--no-compile-autoload-bunfig',
    `--target=bun-${target}`,
    '--define',
    `NGB_VERSION=${JSON.stringify(opts.version)}`,
    '--define',
    `NGB_COMMIT=${JSON.stringify(gitCommit())}`,
    'src/main.ts',
    ...assets,
    '--outfile',
    outfile,
  ]
  const r = Bun.spawnSync(cmd, { stdout: 'inherit', stderr: 'pipe' })
  const stderr = r.stderr.toString()
  process.stderr.write(stderr)
  if (r.exitCode !== 0 || /Failed to generate bytecode/.test(stderr))
    throw new Error(`build for ${target} failed`)
  if (target === hostTarget()) {
    const smoke = Bun.spawnSync([outfile, '--version'], { stdout: 'pipe', stderr: 'pipe', cwd: '/' })
    if (smoke.exitCode !== 0) throw new Error(`smoke run of ${outfile} failed: ${smoke.stderr.toString()}`)
    process.stdout.write(`smoke: ${smoke.stdout.toString()}`)
  }
  return { binary: outfile, map: `${outfile}.map` }
}

/** SHA256SUMS over every file in `dir` that `include` accepts, in `sha256sum -c` format. */
function writeSums(dir: string, include: (name: string) => boolean): void {
  const lines = readdirSync(dir)
    .filter(include)
    .sort()
    .map(
      (name) =>
        `${createHash('sha256')
          .update(readFileSync(join(dir, name)))
          .digest('hex')}  ${name}`,
    )
  writeFileSync(join(dir, 'SHA256SUMS'), lines.length > 0 ? `${lines.join('\n')}\n` : '')
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2))
  if (opts.clean) rmSync(opts.outDir, { recursive: true, force: true })
  const mapsDir = join(opts.outDir, 'sourcemaps')
  mkdirSync(mapsDir, { recursive: true })
  const assetStage = mkdtempSync(join(opts.outDir, '.stage-assets-'))
  try {
    const assets = await agentAssets(assetStage)
    for (const target of opts.targets) {
      const { binary, map } = compile(target, opts, assets)
      renameSync(binary, join(opts.outDir, binaryName(target)))
      renameSync(map, join(mapsDir, `${binaryName(target)}.map`))
      rmSync(resolve(binary, '..'), { recursive: true, force: true })
    }
  } finally {
    rmSync(assetStage, { recursive: true, force: true })
  }
  writeSums(opts.outDir, (name) => /^ngb-[a-z0-9-]+(\.exe)?$/.test(name))
  writeSums(mapsDir, (name) => name.endsWith('.map'))
}

await main()
