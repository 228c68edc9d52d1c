/**
 * One name per concept (issue #11, item 8): two exported types with the same name in different files
 * make an import pick the wrong one silently, and make grep useless. Checked by reading export lines.
 */
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const ROOT = join(import.meta.dir, '..')

function sourceFiles(dir: string): string[] {
  let out: string[] = []
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out = out.concat(sourceFiles(p))
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

/** Exported type and interface names of one file. */
function exportedTypes(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  return [...text.matchAll(/^export\s+(?:interface|type)\s+([A-Za-z0-9_]+)/gm)].map((m) => m[1] ?? '')
}

function duplicates(files: string[]): string[] {
  const owners = new Map<string, string[]>()
  for (const file of files) {
    for (const name of exportedTypes(file)) owners.set(name, [...(owners.get(name) ?? []), file])
  }
  return [...owners]
    .filter(([, where]) => where.length > 1)
    .map(([name, where]) => `${name}: ${where.join(', ')}`)
}

describe('exported type names', () => {
  test('the scanner finds exported types (so the rule below can fail)', () => {
    expect(exportedTypes('src/core/channel/channel.ts')).toContain('Channel')
    expect(duplicates(['src/core/channel/channel.ts', 'src/core/channel/channel.ts'])).toContain(
      'Channel: src/core/channel/channel.ts, src/core/channel/channel.ts',
    )
  })

  test('no two files under src/ or container/ export a type of the same name', () => {
    expect(duplicates([...sourceFiles('src'), ...sourceFiles('container')])).toEqual([])
  })
})
