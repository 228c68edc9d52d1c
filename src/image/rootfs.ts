import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { runEngine } from '../core/container/engine.ts'

export interface RootfsImageOptions {
  /** Container CLI, e.g. docker. */
  cli: string
  /** Image reference to create, e.g. ngb-agent:test. */
  tag: string
  /** Files to place in the image: host path → absolute path inside the image. */
  files: Array<{ from: string; to: string; mode?: number }>
  /** Entrypoint argv inside the image. */
  entrypoint: string[]
  env?: Record<string, string>
  /** Directories to create (e.g. /tmp, /home/agent). */
  dirs?: string[]
  /** Image labels, e.g. a content hash so an unchanged image is not rebuilt. */
  labels?: Record<string, string>
  workdir?: string
}

/** Shared libraries a dynamically linked binary needs, as reported by ldd. */
export function sharedLibraries(binary: string): string[] {
  const r = Bun.spawnSync(['ldd', binary], { stdout: 'pipe', stderr: 'pipe' })
  if (r.exitCode !== 0) return []
  const libs = new Set<string>()
  for (const line of r.stdout.toString().split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)
    if (m?.[1]) libs.add(m[1])
  }
  return [...libs]
}

/**
 * Builds an image with no registry: lays out a minimal root filesystem (the given files, the shared
 * libraries the binaries need, /etc/passwd with an unprivileged user) and loads it with `import`.
 */
export async function importRootfsImage(opts: RootfsImageOptions): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'ngb-rootfs-'))
  try {
    const place = (from: string, to: string, mode?: number) => {
      const dest = join(root, to)
      mkdirSync(dirname(dest), { recursive: true })
      copyFileSync(realpathSync(from), dest)
      if (mode !== undefined) Bun.spawnSync(['chmod', mode.toString(8), dest])
    }
    for (const f of opts.files) {
      place(f.from, f.to, f.mode)
      for (const lib of sharedLibraries(f.from)) place(lib, lib)
    }
    for (const d of ['/tmp', '/etc', '/home/agent', ...(opts.dirs ?? [])]) {
      mkdirSync(join(root, d), { recursive: true, mode: 0o777 })
    }
    Bun.spawnSync(['chmod', '1777', join(root, 'tmp'), join(root, 'home/agent')])
    writeFileSync(
      join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/false\nagent:x:1000:1000:agent:/home/agent:/bin/false\n',
    )
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\nagent:x:1000:\n')
    const changes = [
      `ENTRYPOINT ${JSON.stringify(opts.entrypoint)}`,
      ...Object.entries(opts.env ?? {}).map(([k, v]) => `ENV ${k}=${v}`),
      ...Object.entries(opts.labels ?? {}).map(([k, v]) => `LABEL ${k}=${v}`),
      ...(opts.workdir ? [`WORKDIR ${opts.workdir}`] : []),
    ]
    const tar = Bun.spawn(['tar', '-C', root, '-c', '.'], { stdout: 'pipe', stderr: 'pipe' })
    const { code, err } = await runEngine(
      opts.cli,
      ['import', ...changes.flatMap((c) => ['--change', c]), '-', opts.tag],
      { stdin: tar.stdout },
    )
    await tar.exited
    if (code !== 0) throw new Error(`${opts.cli} import of ${opts.tag} failed: ${err.trim()}`)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}
