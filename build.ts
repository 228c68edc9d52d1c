/**
 * `bun run build` → dist/ngb-<target> for each requested target, plus SHA256SUMS.
 * Usage: bun build.ts [--target linux-x64,linux-arm64,darwin-x64,darwin-arm64,windows-x64 | --all]
 *
 * --bytecode halves cold start; it needs --format=esm (consola's import.meta breaks the CJS default,
 * and the build still exits 0), so the smoke run after each build is what proves the binary works.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import pkg from './package.json' with { type: 'json' }

const ALL = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'windows-x64'] as const
type Target = (typeof ALL)[number]

function hostTarget(): Target {
  const os = process.platform === 'win32' ? 'windows' : process.platform
  return `${os}-${process.arch}` as Target
}

function parseTargets(argv: string[]): Target[] {
  if (argv.includes('--all')) return [...ALL]
  const i = argv.indexOf('--target')
  if (i === -1) return [hostTarget()]
  const wanted = (argv[i + 1] ?? '').split(',').filter(Boolean)
  for (const t of wanted) {
    if (!(ALL as readonly string[]).includes(t))
      throw new Error(`unknown target "${t}"; expected one of ${ALL.join(', ')}`)
  }
  return wanted as Target[]
}

function gitCommit(): string {
  const r = Bun.spawnSync(['git', 'rev-parse', '--short', 'HEAD'], { stdout: 'pipe', stderr: 'ignore' })
  return r.exitCode === 0 ? r.stdout.toString().trim() : 'unknown'
}

/**
 * The agent-runner bundle and the production Dockerfile travel inside the binary, so a compiled ngb
 * can build both images (`ngb image build [--test]`) with no checkout.
 */
async function agentAssets(outDir: string): Promise<string[]> {
  const { bundleAgentRunner } = await import('./src/image/agent-bundle.ts')
  const embedDir = join(resolve(outDir), 'embed')
  mkdirSync(embedDir, { recursive: true })
  const bundle = join(embedDir, 'agent-runner.bundle')
  writeFileSync(bundle, JSON.stringify(await bundleAgentRunner()))
  return [bundle, 'container/Dockerfile']
}

async function build(target: Target, outDir: string, assets: string[]): Promise<string> {
  const outfile = join(resolve(outDir), `ngb-${target}${target.startsWith('windows') ? '.exe' : ''}`)
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
    `NGB_VERSION=${JSON.stringify(pkg.version)}`,
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
  return outfile
}

const outDir = 'dist'
mkdirSync(outDir, { recursive: true })
const sums: string[] = []
const assets = await agentAssets(outDir)
for (const target of parseTargets(process.argv.slice(2))) {
  const file = await build(target, outDir, assets)
  const hash = createHash('sha256').update(readFileSync(file)).digest('hex')
  sums.push(`${hash}  ${basename(file)}`)
}
writeFileSync(join(outDir, 'SHA256SUMS'), `${sums.join('\n')}\n`)
