/** Runs every benchmark in bench/ (each prints one JSON line) and writes bench/results/<ts>.json. */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = import.meta.dir
const only = process.argv[2]
const results: unknown[] = []
// run.ts and readme-table.ts are tools, not benchmarks.
const TOOLS = new Set(['run.ts', 'readme-table.ts'])
for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !TOOLS.has(f))) {
  if (only && !file.startsWith(only)) continue
  // The soak runs 30 minutes with Docker: only on request (`bun bench/run.ts soak`).
  if (!only && file === 'soak.ts') continue
  const r = Bun.spawnSync([process.execPath, join(dir, file)], { stdout: 'pipe', stderr: 'inherit' })
  const line = r.stdout.toString().trim().split('\n').at(-1) ?? ''
  if (r.exitCode !== 0) throw new Error(`${file} failed (exit ${r.exitCode})`)
  results.push(JSON.parse(line))
  process.stdout.write(`${line}\n`)
}
mkdirSync(join(dir, 'results'), { recursive: true })
writeFileSync(join(dir, 'results', `${Date.now()}.json`), JSON.stringify(results, null, 2))
