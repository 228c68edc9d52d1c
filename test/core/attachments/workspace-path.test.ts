import { describe, expect, test } from 'bun:test'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sniffMime } from '../../../src/core/attachments/sniff.ts'
import { resolveInWorkspace } from '../../../src/core/attachments/workspace-path.ts'
import { OGG_VOICE, PDF_SMALL, PNG_1X1 } from '../../helpers/files.ts'
import { tempDir } from '../../helpers/temp.ts'

describe('resolveInWorkspace (send_file paths)', () => {
  const root = tempDir()
  const ws = join(root, 'ws')
  mkdirSync(join(ws, 'out'), { recursive: true })
  writeFileSync(join(ws, 'out', 'a.png'), PNG_1X1)
  writeFileSync(join(root, 'secret'), 'x')
  symlinkSync(join(root, 'secret'), join(ws, 'out', 'link'))
  symlinkSync(join(ws, 'out', 'a.png'), join(ws, 'inner-link.png'))
  symlinkSync(root, join(ws, 'up'))

  test('a file inside resolves (also through a link that stays inside)', () => {
    expect(resolveInWorkspace(ws, 'out/a.png')).toEndWith('/ws/out/a.png')
    expect(resolveInWorkspace(ws, 'inner-link.png')).toEndWith('/ws/out/a.png')
  })

  test.each([
    ['../secret', /leaves the workspace/],
    ['out/../../secret', /leaves the workspace/],
    ['/etc/hostname', /is absolute/],
    ['out/link', /outside the workspace/],
    ['up/secret', /outside the workspace/],
    ['out', /not a file/],
    ['missing.png', /does not exist/],
  ])('%s is refused', (rel, reason) => {
    expect(() => resolveInWorkspace(ws, rel)).toThrow(reason)
  })
})

describe('sniffMime', () => {
  test('by content, not by name', () => {
    expect(sniffMime(PNG_1X1)).toBe('image/png')
    expect(sniffMime(PDF_SMALL)).toBe('application/pdf')
    expect(sniffMime(OGG_VOICE)).toBe('audio/ogg')
    expect(sniffMime(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg')
    expect(sniffMime(new TextEncoder().encode('hello, wörld'))).toBe('text/plain')
    expect(sniffMime(Uint8Array.from([0, 1, 2, 3, 250]))).toBe('application/octet-stream')
  })
})
