import { afterAll, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureTestImage } from '../../helpers/agent-image.ts'
import { HAS_DOCKER } from '../../helpers/docker.ts'
import { type FaultServe, faultServe, occurrences } from './fixture.ts'

/** A small tmpfs for the data dir, or why there cannot be one here. */
function smallDisk(): { dir: string; unmount(): void } | string {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root'
  const dir = mkdtempSync('/tmp/ngb-fault-disk-')
  const r = Bun.spawnSync(['mount', '-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stderr: 'pipe' })
  if (r.exitCode !== 0) {
    rmSync(dir, { recursive: true, force: true })
    return `mount -t tmpfs failed: ${r.stderr.toString().trim()}`
  }
  return {
    dir,
    unmount() {
      Bun.spawnSync(['umount', '-l', dir])
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Writes 64 KiB blocks until the disk refuses one; returns the filler files. */
function fill(dir: string): string[] {
  mkdirSync(join(dir, 'filler'), { recursive: true })
  const files: string[] = []
  const block = new Uint8Array(64 * 1024)
  for (let i = 0; ; i++) {
    const path = join(dir, 'filler', `f${i}`)
    try {
      writeFileSync(path, block)
      files.push(path)
    } catch {
      // Also the last bytes: a small file fills what the block could not.
      try {
        writeFileSync(`${path}-tail`, new Uint8Array(1024))
      } catch {}
      return files
    }
  }
}

const disk = HAS_DOCKER ? smallDisk() : 'no Docker engine'
let f: FaultServe | undefined
afterAll(async () => {
  await f?.cleanup()
  if (typeof disk !== 'string') disk.unmount()
})

test.skipIf(typeof disk === 'string')(
  `the data dir's disk fills up: serve keeps running, the user is told or answered, and all works once space is back${typeof disk === 'string' ? ` (skipped: ${disk})` : ''}`,
  async () => {
    if (typeof disk === 'string') return
    const fx = faultServe({ image: await ensureTestImage(), dataDir: join(disk.dir, 'data') })
    f = fx
    await fx.start({ NGB_LOG_MAX_BYTES: '65536' })
    fx.inject(0, 'before tokBefore')
    await fx.waitReplies(0, (r) => occurrences(r, 'tokBefore') > 0, 'an answer while there is space')
    fill(disk.dir)
    fx.inject(0, 'while full tokFull')
    const notice = (r: string[]) => r.filter((t) => t.includes('could not save your message')).length
    const during = await fx.waitReplies(
      0,
      (r) => occurrences(r, 'tokFull') + notice(r) > 0,
      'an answer or a notice while the disk is full',
      60_000,
    )
    process.stderr.write(`disk full fault, replies: ${JSON.stringify(during.slice(1))}\n`)
    expect(fx.serve().proc.exitCode).toBeNull()
    rmSync(join(disk.dir, 'filler'), { recursive: true, force: true })
    fx.inject(0, 'after tokAfter')
    const after = await fx.waitReplies(
      0,
      (r) => occurrences(r, 'tokAfter') > 0,
      'an answer once space is back',
      60_000,
    )
    // Answered once, or told once to send it again: never both, never silence.
    expect(occurrences(after, 'tokFull') + notice(after)).toBe(1)
    expect(occurrences(after, 'tokBefore')).toBe(1)
    expect(await fx.stop()).toBe(0)
    expect(fx.containers(true)).toEqual([])
  },
  240_000,
)
