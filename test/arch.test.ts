/**
 * Import boundaries of style.md §5.2, checked by reading import lines: dependencies point inward
 * (toward core/types.ts and protocol/), and only the composition root picks concrete parts.
 */
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const ROOT = join(import.meta.dir, '..')
const PLATFORMS = [
  'telegram',
  'discord',
  'slack',
  'whatsapp',
  'feishu',
  'dingtalk',
  'qq',
  'wecom',
  'wecom-app',
  'web',
  'cli',
]

function sourceFiles(dir: string): string[] {
  let out: string[] = []
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out = out.concat(sourceFiles(p))
    else if (/\.tsx?$/.test(e.name)) out.push(p)
  }
  return out
}

interface Import {
  target: string
  typeOnly: boolean
}

/** Repo-relative targets of the file's relative imports (package imports are left out). */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const out: Import[] = []
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm)) {
    const spec = m[3] ?? ''
    out.push({ target: relative(ROOT, resolve(ROOT, dirname(file), spec)), typeOnly: Boolean(m[2]) })
  }
  for (const m of text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g)) {
    out.push({ target: relative(ROOT, resolve(ROOT, dirname(file), m[1] ?? '')), typeOnly: false })
  }
  return out
}

function platformOf(path: string): string | undefined {
  const m = /^src\/channels\/([^/]+)\//.exec(path)
  return m?.[1] && PLATFORMS.includes(m[1]) ? m[1] : undefined
}

const files = [...sourceFiles('src'), ...sourceFiles('views'), ...sourceFiles('container')]

function violations(rule: (file: string, imp: Import) => string | undefined): string[] {
  const found: string[] = []
  for (const file of files) {
    for (const imp of importsOf(file)) {
      const why = rule(file, imp)
      if (why) found.push(`${file} → ${imp.target}: ${why}`)
    }
  }
  return found
}

describe('import boundaries', () => {
  test('the import scanner sees the relative imports (so the rules below can fail)', () => {
    const all = files.flatMap(importsOf)
    expect(all.length).toBeGreaterThan(50)
    expect(importsOf('src/app/runtime.ts').map((i) => i.target)).toContain('src/db/open.ts')
    expect(importsOf('src/app/runtime.ts').find((i) => i.target === 'src/config/schema.ts')?.typeOnly).toBe(
      true,
    )
    expect(importsOf('container/agent-runner/context.ts').map((i) => i.target)).toContain(
      'src/protocol/ipc-files.ts',
    )
  })

  test('util/ and protocol/ import nothing else from src/', () => {
    expect(
      violations((file, imp) => {
        if (file.startsWith('src/util/') && !imp.target.startsWith('src/util/')) return 'util is a leaf'
        if (file.startsWith('src/protocol/') && !imp.target.startsWith('src/protocol/'))
          return 'protocol is a leaf'
        return undefined
      }),
    ).toEqual([])
  })

  test('core/ never imports channels, web, cli or the composition root (not even types)', () => {
    expect(
      violations((file, imp) => {
        if (!file.startsWith('src/core/')) return undefined
        if (imp.target.startsWith('src/channels/')) return 'platforms depend on core, never the reverse'
        if (/^src\/(web|cli|image)\//.test(imp.target) || imp.target === 'src/app.ts') return 'core is inner'
        if (/^src\/(db|config)\//.test(imp.target) && !imp.typeOnly)
          return 'core takes db/config as types only'
        return undefined
      }),
    ).toEqual([])
  })

  test('the shared vocabulary (core/types.ts, core/errors.ts) is a leaf', () => {
    expect(
      violations((file, imp) => {
        if (!['src/core/types.ts', 'src/core/errors.ts'].includes(file)) return undefined
        if (imp.target.startsWith('src/util/')) return undefined
        return 'db/ and every area import the vocabulary, so it imports nothing back'
      }),
    ).toEqual([])
  })

  test('the agent runner (container/) imports only protocol/ from src', () => {
    expect(
      violations((file, imp) => {
        if (!file.startsWith('container/')) return undefined
        if (imp.target.startsWith('container/') || imp.target.startsWith('src/protocol/')) return undefined
        return 'the container bundle ships alone; protocol/ is the only contract it shares'
      }),
    ).toEqual([])
  })

  test('image/ builds images; only the CLI and the composition root use it', () => {
    expect(
      violations((file, imp) => {
        if (!imp.target.startsWith('src/image/') || file.startsWith('src/image/')) return undefined
        if (file.startsWith('src/cli/') || file === 'src/app.ts' || file === 'build.ts') return undefined
        return 'image building is a tool, not part of the runtime'
      }),
    ).toEqual([])
  })

  test('db/ knows no business rules, events, web or channels', () => {
    expect(
      violations((file, imp) => {
        if (!file.startsWith('src/db/')) return undefined
        if (imp.target.startsWith('src/db/') || imp.target.startsWith('src/util/')) return undefined
        if (['src/core/types.ts', 'src/core/errors.ts'].includes(imp.target)) return undefined
        return 'db may import core/types, core/errors and util only'
      }),
    ).toEqual([])
  })

  test('a platform adapter imports no db, web, cli, other platform or composition root', () => {
    expect(
      violations((file, imp) => {
        const platform = platformOf(file)
        if (!platform) return undefined
        const other = platformOf(imp.target)
        if (other && other !== platform) return 'platforms are independent'
        if (/^src\/(db|web|cli|image)\//.test(imp.target) || imp.target === 'src/app.ts')
          return 'adapters get callbacks'
        return undefined
      }),
    ).toEqual([])
  })

  test('a platform reaches core only through its contract: the channel interface, jid and errors', () => {
    const CONTRACT = [
      'src/core/channel/channel.ts',
      // Webhook platforms mount their handler into the web server's /hooks/<platform> routes.
      'src/core/channel/webhooks.ts',
      'src/core/jid.ts',
      'src/core/errors.ts',
      'src/core/types.ts',
    ]
    expect(
      violations((file, imp) => {
        if (!(platformOf(file) || file.startsWith('src/channels/shared/'))) return undefined
        if (imp.target.startsWith('src/core/') && !CONTRACT.includes(imp.target))
          return 'core internals change without notice; add to the contract instead'
        if (file.startsWith('src/channels/shared/') && platformOf(imp.target))
          return 'shared/ is a leaf the platforms use, it knows none of them'
        return undefined
      }),
    ).toEqual([])
  })

  test('web/ and views/ import no platform adapter; views import no I/O', () => {
    expect(
      violations((file, imp) => {
        if (
          (file.startsWith('src/web/') || file.startsWith('views/')) &&
          platformOf(imp.target) &&
          !imp.typeOnly
        ) {
          return 'the web layer reaches platforms through core services'
        }
        if (file.startsWith('views/') && /^src\/(db|cli|channels)\//.test(imp.target) && !imp.typeOnly) {
          return 'views are functions of their props'
        }
        if (file.startsWith('views/') && imp.target.startsWith('src/web/')) {
          if (imp.target === 'src/web/services.ts' && imp.typeOnly) return undefined
          return 'views see the web service contract (web/services.ts, types), no implementation'
        }
        return undefined
      }),
    ).toEqual([])
  })

  test('only main.ts, cli/ and the composition root itself import app.ts', () => {
    expect(
      violations((file, imp) => {
        if (imp.target !== 'src/app.ts') return undefined
        if (file === 'src/main.ts' || file.startsWith('src/cli/')) return undefined
        return 'app.ts is the composition root'
      }),
    ).toEqual([])
  })

  test("the composition root's builders (src/app/) are used only by app.ts and each other", () => {
    expect(
      violations((file, imp) => {
        if (!imp.target.startsWith('src/app/')) return undefined
        if (file === 'src/app.ts' || file.startsWith('src/app/')) return undefined
        return 'presets in app.ts are the door to the builders'
      }),
    ).toEqual([])
  })
})

describe('one door to the container engine', () => {
  /** Files that may start processes at all, and why; the engine CLI is spawned only by the first. */
  const SPAWNERS: Record<string, string> = {
    'src/core/container/engine.ts': 'the container engine CLI (docker, podman)',
    'src/image/rootfs.ts': 'host tools that assemble a rootfs (ldd, chmod, tar)',
    'src/cli/service/host.ts': 'the service manager (systemctl, launchctl)',
    'src/cli/upgrade/swap.ts': 'the smoke run of a downloaded ngb binary (--version)',
  }
  const spawning = (file: string) =>
    /Bun\.spawn(Sync)?\(|node:child_process/.test(readFileSync(join(ROOT, file), 'utf8'))

  test('only the listed files start processes', () => {
    expect(files.filter(spawning).sort()).toEqual(Object.keys(SPAWNERS).sort())
  })

  test('outside engine.ts nobody spawns the engine CLI directly', () => {
    const direct = /Bun\.spawn(Sync)?\(\s*\[\s*(opts\.cli|cli|config\.containerCli|'docker'|'podman')\b/
    expect(
      files.filter(
        (f) => f !== 'src/core/container/engine.ts' && direct.test(readFileSync(join(ROOT, f), 'utf8')),
      ),
    ).toEqual([])
  })
})

/** Exported type and interface names of one file. */
function exportedTypes(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  return [...text.matchAll(/^export\s+(?:interface|type)\s+([A-Za-z0-9_]+)/gm)].map((m) => m[1] ?? '')
}

function duplicateTypes(among: string[]): string[] {
  const owners = new Map<string, string[]>()
  for (const file of among) {
    for (const name of exportedTypes(file)) owners.set(name, [...(owners.get(name) ?? []), file])
  }
  return [...owners]
    .filter(([, where]) => where.length > 1)
    .map(([name, where]) => `${name}: ${where.join(', ')}`)
}

// One name per concept (issue #11, item 8): two exported types of one name make an import pick the
// wrong one silently and make grep useless.
describe('exported type names', () => {
  test('the scanner finds exported types (so the rule below can fail)', () => {
    expect(exportedTypes('src/core/channel/channel.ts')).toContain('Channel')
    expect(duplicateTypes(['src/core/channel/channel.ts', 'src/core/channel/channel.ts'])).toContain(
      'Channel: src/core/channel/channel.ts, src/core/channel/channel.ts',
    )
  })

  test('no two files under src/, views/ or container/ export a type of the same name', () => {
    expect(duplicateTypes(files)).toEqual([])
  })
})
