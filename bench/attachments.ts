/**
 * Receiving a file: a 20 MB body served over local HTTP, streamed through the attachment store
 * (size checks, symlink-safe exclusive write, sniffing, quota scan), against the baseline of the same
 * download written with Bun.write. Median of 5 after a warm-up. Prints one JSON line.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAttachmentStore } from '../src/core/attachments/store.ts'

const SIZE = 20 * 1024 * 1024
const body = new Uint8Array(SIZE).fill(0x41)
body.set(new TextEncoder().encode('%PDF-1.4\n'))
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response(body) })
const url = `http://127.0.0.1:${server.port}/f`
const root = mkdtempSync(join(tmpdir(), 'ngb-bench-att-'))
mkdirSync(join(root, 'g'))
const store = createAttachmentStore({
  groupsDir: root,
  maxBytes: SIZE,
  quotaBytes: 100 * SIZE,
  clock: { now: () => Date.now() },
})

async function viaStore(): Promise<number> {
  const t0 = performance.now()
  const r = await store.save('g', { kind: 'document', size: SIZE, open: () => fetch(url) })
  if (!r.ok) throw new Error(r.message)
  const ms = performance.now() - t0
  rmSync(join(root, 'g', r.attachment.path))
  return ms
}

async function baseline(): Promise<number> {
  const t0 = performance.now()
  await Bun.write(join(root, 'baseline.bin'), await fetch(url))
  const ms = performance.now() - t0
  rmSync(join(root, 'baseline.bin'))
  return ms
}

const median = async (fn: () => Promise<number>) => {
  await fn()
  const times: number[] = []
  for (let i = 0; i < 5; i++) times.push(await fn())
  return Math.round((times.sort((a, b) => a - b)[2] ?? 0) * 10) / 10
}

try {
  const storeMs = await median(viaStore)
  const baselineMs = await median(baseline)
  process.stdout.write(
    `${JSON.stringify({ bench: 'attachments', fileBytes: SIZE, storeMedianMs: storeMs, baselineMedianMs: baselineMs })}\n`,
  )
} finally {
  await server.stop(true)
  rmSync(root, { recursive: true, force: true })
}
