import { describe, expect, test } from 'bun:test'
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import {
  ensureDir,
  safeAppend,
  safeCopyOut,
  safeEmptyDir,
  safeList,
  safeRead,
  safeRemove,
  safeWrite,
  UnsafePathError,
} from '../../src/util/safe-fs/index.ts'
import { tempDir } from '../helpers/temp.ts'

/** A root (trusted) and, beside it, a victim directory the "agent" points links at. */
function setup() {
  const base = tempDir('ngb-safefs-')
  const root = join(base, 'root')
  const victim = join(base, 'victim')
  mkdirSync(root)
  mkdirSync(victim)
  writeFileSync(join(victim, 'secret'), 'TOP SECRET', { mode: 0o600 })
  const snapshot = () => ({
    names: readdirSync(victim).sort(),
    secret: readFileSync(join(victim, 'secret'), 'utf8'),
  })
  return { root, victim, snapshot }
}

describe('safe-fs', () => {
  test('ensureDir replaces a symlinked or file component with a real directory, the target untouched', () => {
    const { root, victim, snapshot } = setup()
    const before = snapshot()
    symlinkSync(victim, join(root, 'a'))
    ensureDir(root, 'a/b')
    expect(lstatSync(join(root, 'a')).isDirectory()).toBe(true)
    expect(existsSync(join(root, 'a', 'b'))).toBe(true)
    writeFileSync(join(root, 'f'), 'x')
    ensureDir(root, 'f')
    expect(lstatSync(join(root, 'f')).isDirectory()).toBe(true)
    expect(snapshot()).toEqual(before)
  })

  test('safeWrite never writes through a symlinked parent, a planted temp link or a hard link', () => {
    const { root, victim, snapshot } = setup()
    const before = snapshot()
    mkdirSync(join(root, 'd'))
    symlinkSync(join(victim, 'secret'), join(root, 'd', 'out.json'))
    symlinkSync(join(victim, 'secret'), join(root, 'd', 'out.json.tmp'))
    safeWrite(root, 'd/out.json', '{"a":1}')
    expect(lstatSync(join(root, 'd', 'out.json')).isFile()).toBe(true)
    expect(readFileSync(join(root, 'd', 'out.json'), 'utf8')).toBe('{"a":1}')
    // A hard link in place of the target: the rename replaces the name, the other link keeps its data.
    writeFileSync(join(root, 'mine'), 'agent data')
    linkSync(join(root, 'mine'), join(root, 'd', 'hl.json'))
    safeWrite(root, 'd/hl.json', 'host data')
    expect(readFileSync(join(root, 'mine'), 'utf8')).toBe('agent data')
    // A directory where the file goes is removed (its content too), not written into.
    mkdirSync(join(root, 'd', 'dir.json', 'deep'), { recursive: true })
    symlinkSync(victim, join(root, 'd', 'dir.json', 'deep', 'link'))
    safeWrite(root, 'd/dir.json', 'x')
    expect(readFileSync(join(root, 'd', 'dir.json'), 'utf8')).toBe('x')
    // A symlinked parent dir is refused when not asked to create, and repaired when asked.
    symlinkSync(victim, join(root, 'ln'))
    expect(() => safeWrite(root, 'ln/x', 'y', { createDirs: false })).toThrow(UnsafePathError)
    safeWrite(root, 'ln/x', 'y')
    expect(lstatSync(join(root, 'ln')).isDirectory()).toBe(true)
    expect(snapshot()).toEqual(before)
  })

  test('safeRead refuses links (at the end or in the path), FIFOs and directories; reads regular files', () => {
    const { root, victim } = setup()
    symlinkSync(join(victim, 'secret'), join(root, 'CLAUDE.md'))
    expect(() => safeRead(root, 'CLAUDE.md', 1000)).toThrow(UnsafePathError)
    symlinkSync(victim, join(root, 'up'))
    expect(() => safeRead(root, 'up/secret', 1000)).toThrow(UnsafePathError)
    Bun.spawnSync(['mkfifo', join(root, 'fifo')])
    expect(() => safeRead(root, 'fifo', 1000)).toThrow('not a regular file')
    mkdirSync(join(root, 'dir'))
    expect(() => safeRead(root, 'dir', 1000)).toThrow(UnsafePathError)
    expect(safeRead(root, 'missing', 10)).toBeUndefined()
    expect(safeRead(root, 'nodir/missing', 10)).toBeUndefined()
    writeFileSync(join(root, 'big'), 'abcdefghij')
    expect(safeRead(root, 'big', 4)).toEqual({ text: 'abcd', size: 10, truncated: true })
    expect(safeRead(root, 'big', 4, { tail: true })?.text).toBe('ghij')
  })

  test('"..", safeList and safeRemove stay inside the root and never follow', () => {
    const { root, victim, snapshot } = setup()
    const before = snapshot()
    expect(() => safeRead(root, '../victim/secret', 100)).toThrow(UnsafePathError)
    symlinkSync(victim, join(root, 'msgs'))
    expect(() => safeList(root, 'msgs')).toThrow(UnsafePathError)
    mkdirSync(join(root, 'tree', 'sub'), { recursive: true })
    symlinkSync(victim, join(root, 'tree', 'sub', 'link'))
    symlinkSync(join(victim, 'secret'), join(root, 'tree', 'file-link'))
    expect(
      safeList(root, 'tree')
        .map((e) => [e.name, e.type])
        .sort(),
    ).toEqual([
      ['file-link', 'symlink'],
      ['sub', 'dir'],
    ])
    safeRemove(root, 'tree')
    safeRemove(root, 'msgs')
    expect(existsSync(join(root, 'tree'))).toBe(false)
    mkdirSync(join(root, 'input'))
    symlinkSync(victim, join(root, 'input', 'x'))
    writeFileSync(join(root, 'input', '_close'), '')
    safeEmptyDir(root, 'input')
    expect(readdirSync(join(root, 'input'))).toEqual([])
    expect(snapshot()).toEqual(before)
  })

  test('safeAppend refuses a link, a FIFO and a hard-linked file', () => {
    const { root, victim, snapshot } = setup()
    const before = snapshot()
    safeAppend(root, 'logs/run.log', 'one\n')
    safeAppend(root, 'logs/run.log', 'two\n')
    expect(readFileSync(join(root, 'logs', 'run.log'), 'utf8')).toBe('one\ntwo\n')
    symlinkSync(join(victim, 'secret'), join(root, 'logs', 'l.log'))
    expect(() => safeAppend(root, 'logs/l.log', 'x')).toThrow(UnsafePathError)
    linkSync(join(root, 'logs', 'run.log'), join(root, 'logs', 'hl.log'))
    expect(() => safeAppend(root, 'logs/hl.log', 'x')).toThrow('hard links')
    Bun.spawnSync(['mkfifo', join(root, 'logs', 'f.log')])
    expect(() => safeAppend(root, 'logs/f.log', 'x')).toThrow(UnsafePathError)
    expect(snapshot()).toEqual(before)
    expect(statSync(join(victim, 'secret')).size).toBe(10)
  })

  test('safeCopyOut copies a regular file into a private 0700 dir, refusing links, FIFOs and big files', () => {
    const { root, victim, snapshot } = setup()
    const before = snapshot()
    mkdirSync(join(root, 'out'))
    writeFileSync(join(root, 'out', 'a.txt'), 'hello')
    const copy = safeCopyOut(root, 'out/a.txt', 100)
    expect(readFileSync(copy.path, 'utf8')).toBe('hello')
    expect(copy.size).toBe(5)
    expect(new TextDecoder().decode(copy.head)).toBe('hello')
    expect(statSync(join(copy.path, '..')).mode & 0o777).toBe(0o700)
    copy.cleanup()
    expect(existsSync(copy.path)).toBe(false)
    symlinkSync(join(victim, 'secret'), join(root, 'out', 'l.txt'))
    expect(() => safeCopyOut(root, 'out/l.txt', 100)).toThrow(UnsafePathError)
    symlinkSync(victim, join(root, 'via'))
    expect(() => safeCopyOut(root, 'via/secret', 100)).toThrow(UnsafePathError)
    Bun.spawnSync(['mkfifo', join(root, 'out', 'f')])
    expect(() => safeCopyOut(root, 'out/f', 100)).toThrow('not a regular file')
    expect(() => safeCopyOut(root, 'out/a.txt', 2)).toThrow('limit 2')
    expect(snapshot()).toEqual(before)
  })
})
