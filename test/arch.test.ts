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

const files = [...sourceFiles('src'), ...sourceFiles('views')]

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

  test('core/ never imports platforms, web, cli or the composition root', () => {
    expect(
      violations((file, imp) => {
        if (!file.startsWith('src/core/')) return undefined
        if (platformOf(imp.target) && !imp.typeOnly) return 'core receives channels, it does not import them'
        if (/^src\/(web|cli)\//.test(imp.target) || imp.target === 'src/app.ts') return 'core is inner'
        if (/^src\/(db|config)\//.test(imp.target) && !imp.typeOnly)
          return 'core takes db/config as types only'
        return undefined
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
        if (/^src\/(db|web|cli)\//.test(imp.target) || imp.target === 'src/app.ts')
          return 'adapters get callbacks'
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
