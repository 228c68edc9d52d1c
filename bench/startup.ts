/**
 * Startup of the compiled binary: `ngb --version` wall time and `ngb serve` spawn → first 200 from
 * /api/health. Baseline in the same run: a compiled hello-world (the Bun runtime's own floor).
 * Prints JSON. Usage: bun bench/startup.ts [--runs 15]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compiledBinary } from '../test/helpers/binary.ts'

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 15

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}

function timeCommand(argv: string[], cwd: string): number {
  const t0 = performance.now()
  const r = Bun.spawnSync(argv, { cwd, stdout: 'ignore', stderr: 'ignore' })
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} exited ${r.exitCode}`)
  return performance.now() - t0
}

async function timeServe(binary: string, port: number, dataDir: string): Promise<number> {
  const t0 = performance.now()
  const proc = Bun.spawn([binary, 'serve', '--port', String(port)], {
    env: { ...process.env, NGB_DATA_DIR: dataDir, NGB_ADMIN_PASSWORD: 'bench-password' },
    stdout: 'ignore',
    stderr: 'ignore',
  })
  try {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/health`)
        if (res.ok) return performance.now() - t0
      } catch {
        if (performance.now() - t0 > 10_000) throw new Error('serve did not answer within 10 s')
        await Bun.sleep(1)
      }
    }
  } finally {
    proc.kill('SIGTERM')
    await proc.exited
  }
}

const work = mkdtempSync(join(tmpdir(), 'ngb-bench-'))
try {
  const hello = join(work, 'hello')
  await Bun.write(join(work, 'hello.ts'), 'console.log("hi")\n')
  Bun.spawnSync([
    process.execPath,
    'build',
    '--compile',
    '--bytecode',
    join(work, 'hello.ts'),
    '--outfile',
    hello,
  ])
  const binary = compiledBinary()
  const baseline: number[] = []
  const version: number[] = []
  const serve: number[] = []
  for (let i = 0; i < runs; i++) {
    baseline.push(timeCommand([hello], work))
    version.push(timeCommand([binary, '--version'], work))
  }
  for (let i = 0; i < Math.min(runs, 10); i++)
    serve.push(await timeServe(binary, 18_900 + i, join(work, `data-${i}`)))
  const result = {
    bench: 'startup',
    runs,
    baselineHelloMedianMs: +median(baseline).toFixed(1),
    versionMedianMs: +median(version).toFixed(1),
    versionVsBaseline: +(median(version) / median(baseline)).toFixed(2),
    serveToHealthMedianMs: +median(serve).toFixed(1),
    serveToHealthMaxMs: +Math.max(...serve).toFixed(1),
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
