/**
 * The agent can write its workspace, IPC dirs and session state, so every host-side file
 * operation there goes through src/util/safe-fs/ (docs/security.md). This scan keeps it so:
 * outside a short list of files that never touch an agent-writable directory (each with its
 * reason), no source file imports node:fs functions that read, write, move, delete or chown.
 */
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const ROOT = join(import.meta.dir, '..')

const FS_OPS = new Set([
  'appendFileSync',
  'chownSync',
  'copyFileSync',
  'createReadStream',
  'createWriteStream',
  'lchownSync',
  'linkSync',
  'mkdirSync',
  'openSync',
  'readdirSync',
  'readFileSync',
  'renameSync',
  'rmdirSync',
  'rmSync',
  'symlinkSync',
  'truncateSync',
  'unlinkSync',
  'writeFileSync',
])

/** Files allowed raw fs, all outside the agent-writable dirs (except the known gaps below). */
const ALLOWED: Record<string, string> = {
  // Resolving only (realpath, lstat): the file is then read through safe-fs (safeCopyOut), which
  // refuses it if the agent swapped a component for a link after the check.
  'src/core/attachments/workspace-path.ts': 'resolves send_file paths; reads go through safeCopyOut',
  'src/util/safe-fs/index.ts': 'the one module that owns the symlink-safe primitives',
  'src/util/safe-fs/dir.ts': 'the verified-directory half of that module',
  'src/util/log.ts': 'the host log under <data>/logs (never mounted)',
  'src/app.ts': 'creates the data dir itself',
  'src/db/open.ts': 'the database directory (never mounted)',
  'src/config/load.ts': 'reads ngb.toml and .env (admin files)',
  'src/cli/init/files.ts': 'ngb init writes ngb.toml and .env (admin files, 0600)',
  'src/cli/service/host.ts': 'reads /etc/passwd and /etc/group for the service unit',
  'src/cli/upgrade/swap.ts': 'ngb upgrade swaps the installed ngb binary (never an agent dir)',
  'src/cli/upgrade/release.ts': 'ngb upgrade reads a local release directory',
  'src/core/container/allowlist.ts': 'reads the admin mount allowlist in the config dir',
  'src/image/prod-image.ts': 'builds an image context in a fresh temp dir',
  'src/image/rootfs.ts': 'builds the test image rootfs in a fresh temp dir',
  'src/image/test-image.ts': 'builds the test image context in a fresh temp dir',
  'src/protocol/ipc-files.ts':
    'the agent-side writer: runs inside the container, on its own mount (host code may not import it)',
  'src/cli/admin/cli-token.ts': 'the CLI token in the config dir',
  'src/cli/commands/doctor.ts': 'checks the data dir is writable',
  'src/cli/commands/service.ts': 'reads /etc/passwd and /etc/group',
  'src/cli/logs/follow.ts': 'follows the host log',
  'src/cli/logs/tail.ts': 'tails the host log',
  'src/cli/serve-file.ts': 'serve.json in the data dir (never mounted)',
  'src/cli/serve-lock.ts': 'serve.lock in the data dir (never mounted)',
  'src/plugins/loader.ts': 'lists the admin plugins dir (never mounted)',
  'src/plugins/watcher.ts': 'creates the admin plugins dir (never mounted)',
  'src/cli/commands/serve.ts': 'creates the data dir itself',
  'src/cli/service/apply.ts': 'writes the systemd unit / launchd plist',
  'src/cli/session/interactive.ts': 'the REPL history in the config dir',
}

function sourceFiles(dir: string): string[] {
  let out: string[] = []
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = `${dir}/${e.name}`
    if (e.isDirectory()) out = out.concat(sourceFiles(p))
    else if (/\.tsx?$/.test(e.name)) out.push(p)
  }
  return out
}

/** The node:fs names a file imports (named imports, and any namespace import counts as all). */
function fsImports(text: string): string[] {
  const out: string[] = []
  for (const m of text.matchAll(/import\s+(type\s+)?([^;]*?)\s+from\s+'(?:node:)?fs(?:\/promises)?'/g)) {
    if (m[1]) continue
    const clause = m[2] ?? ''
    if (/\*\s+as|^\w+$/.test(clause.trim())) out.push('*')
    for (const name of clause.replace(/[{}]/g, '').split(',')) {
      const n = name
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)[0]
      if (n) out.push(n)
    }
  }
  for (const m of text.matchAll(/require\(\s*'(?:node:)?fs'\s*\)|import\(\s*'(?:node:)?fs/g)) out.push(m[0])
  return out
}

describe('agent-writable dirs go through safe-fs', () => {
  test('the scanner sees fs imports (so the rule below can fail)', () => {
    expect(fsImports("import { writeFileSync, watch } from 'node:fs'")).toEqual(['writeFileSync', 'watch'])
    expect(fsImports("import * as fs from 'fs'")).toContain('*')
    expect(fsImports("import fs from 'node:fs/promises'")).toContain('*')
    expect(fsImports(readFileSync(join(ROOT, 'src/util/safe-fs/index.ts'), 'utf8'))).toContain('renameSync')
  })

  test('no other source file reads, writes, moves, deletes or chowns with raw fs', () => {
    const found: string[] = []
    for (const file of [...sourceFiles('src'), ...sourceFiles('views')]) {
      if (file in ALLOWED) continue
      const names = fsImports(readFileSync(join(ROOT, file), 'utf8'))
      const bad = names.filter((n) => n === '*' || FS_OPS.has(n) || n.includes('('))
      if (bad.length > 0) found.push(`${file}: ${bad.join(', ')} (use src/util/safe-fs/)`)
    }
    expect(found).toEqual([])
  })

  test('every allowed file still exists (a moved file must be re-checked, not silently skipped)', () => {
    const all = new Set(sourceFiles('src'))
    expect(Object.keys(ALLOWED).filter((f) => !all.has(f))).toEqual([])
  })

  test('host code never uses the agent-side IPC writer (protocol/ipc-files.ts atomicWriteJson)', () => {
    const found = sourceFiles('src').filter((file) =>
      /import\s*\{[^}]*\batomicWriteJson\b[^}]*\}\s*from/.test(readFileSync(join(ROOT, file), 'utf8')),
    )
    expect(found).toEqual([])
  })
})
