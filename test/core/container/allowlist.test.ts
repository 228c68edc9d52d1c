import { describe, expect, test } from 'bun:test'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { MountAllowlist } from '../../../src/core/container/allowlist.ts'
import {
  checkExtraMount,
  DEFAULT_BLOCKED_PATTERNS,
  loadMountAllowlist,
} from '../../../src/core/container/allowlist.ts'
import { extraMounts } from '../../../src/core/container/mounts.ts'
import { tempDir } from '../../helpers/temp.ts'

// A realistic home: allowed roots, secrets inside them, a data dir, and symlinks pointing across.
const home = tempDir('ngb-home-')
const projects = join(home, 'projects')
const readonlyRoot = join(home, 'docs')
const dataDir = join(home, '.local', 'share', 'nanogridbot')
const configDir = join(home, '.config', 'nanogridbot')
for (const d of [
  join(projects, 'app', 'src'),
  join(projects, 'keys', '.ssh'),
  join(projects, 'deploy', '.aws'),
  join(projects, 'mytoken-store'),
  readonlyRoot,
  join(home, 'outside'),
  join(home, '.ssh'),
  join(dataDir, 'groups', 'other'),
  configDir,
]) {
  mkdirSync(d, { recursive: true })
}
writeFileSync(join(projects, 'app', '.env'), 'SECRET=1')
writeFileSync(join(dataDir, 'ngb.db'), '')
symlinkSync(join(home, '.ssh'), join(projects, 'innocent')) // inside the root, points at a secret
symlinkSync(join(home, 'outside'), join(projects, 'escape')) // inside the root, points outside
symlinkSync(join(projects, 'app'), join(home, 'outside', 'back-in')) // outside, points inside
symlinkSync(dataDir, join(projects, 'data-link')) // points at the data dir
symlinkSync(join(projects, 'app', '.env'), join(projects, 'notes.txt')) // file symlink to .env

const allowlist: MountAllowlist = {
  allowedRoots: [
    { path: '~/projects', allowReadWrite: true },
    { path: readonlyRoot, allowReadWrite: false },
  ],
  blockedPatterns: ['token'],
  nonMainReadOnly: true,
}
const ctx = (isMain: boolean) => ({ isMain, home, protectedPaths: [dataDir, configDir] })
const check = (
  hostPath: string,
  opts: { containerPath?: string; readonly?: boolean; isMain?: boolean } = {},
) =>
  checkExtraMount(
    { hostPath, containerPath: opts.containerPath ?? '', readonly: opts.readonly },
    allowlist,
    ctx(opts.isMain ?? true),
  )

describe('extra mounts: allowed roots', () => {
  test('a path inside an allowed root (given with ~) is mounted under /workspace/extra', () => {
    expect(check('~/projects/app')).toEqual({
      ok: true,
      mount: { hostPath: join(projects, 'app'), containerPath: '/workspace/extra/app', readonly: true },
    })
  })

  test('a path outside every root is rejected', () => {
    const d = check(join(home, 'outside'))
    expect(d).toEqual({ ok: false, reason: expect.stringContaining('not inside any allowed root') })
  })

  test('a path that does not exist is rejected', () => {
    expect(check(join(projects, 'nope'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('does not exist'),
    })
  })

  test('a root prefix is not a parent: ~/projects-evil is not inside ~/projects', () => {
    mkdirSync(join(home, 'projects-evil'), { recursive: true })
    expect(check(join(home, 'projects-evil'))).toMatchObject({ ok: false })
  })
})

describe('extra mounts: symlinks are resolved before checking', () => {
  test('a symlink inside a root that points outside is rejected', () => {
    expect(check(join(projects, 'escape'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not inside any allowed root'),
    })
  })

  test('a symlink named harmlessly that points at ~/.ssh is blocked', () => {
    expect(check(join(projects, 'innocent'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('.ssh'),
    })
  })

  test('a symlink outside the roots that points inside is mounted at its real path', () => {
    const d = check(join(home, 'outside', 'back-in'), { containerPath: 'code' })
    expect(d).toEqual({
      ok: true,
      mount: { hostPath: join(projects, 'app'), containerPath: '/workspace/extra/code', readonly: true },
    })
  })

  test('a file symlink to a .env is blocked', () => {
    expect(check(join(projects, 'notes.txt'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('.env'),
    })
  })

  test('a symlink to the data dir is rejected even inside an allowed root', () => {
    expect(check(join(projects, 'data-link'))).toMatchObject({ ok: false })
  })
})

describe('extra mounts: blocked patterns', () => {
  test.each([...DEFAULT_BLOCKED_PATTERNS])('default pattern %s is always blocked', (pattern) => {
    const dir = join(projects, 'blocked', `x${pattern}y`)
    mkdirSync(dir, { recursive: true })
    expect(check(dir)).toMatchObject({ ok: false, reason: expect.stringContaining(pattern) })
  })

  test('a pattern from the allowlist is merged with the defaults', () => {
    expect(check(join(projects, 'mytoken-store'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('token'),
    })
  })

  test('a blocked component anywhere in the path blocks it', () => {
    expect(check(join(projects, 'deploy', '.aws'))).toMatchObject({ ok: false })
    expect(check(join(projects, 'keys', '.ssh'))).toMatchObject({ ok: false })
  })

  test('an allowlist cannot unblock the defaults by omitting them', () => {
    const d = checkExtraMount(
      { hostPath: join(projects, 'keys', '.ssh'), containerPath: 'k' },
      { ...allowlist, blockedPatterns: [] },
      ctx(true),
    )
    expect(d.ok).toBe(false)
  })
})

describe('extra mounts: never the data dir, the database or the config dir', () => {
  test('the data dir, a dir inside it and a parent of it are rejected', () => {
    const wide: MountAllowlist = { ...allowlist, allowedRoots: [{ path: home, allowReadWrite: true }] }
    for (const p of [dataDir, join(dataDir, 'groups', 'other'), join(home, '.local')]) {
      expect(checkExtraMount({ hostPath: p, containerPath: 'x' }, wide, ctx(true))).toMatchObject({
        ok: false,
      })
    }
  })

  test('the database file and the allowlist dir are rejected', () => {
    const wide: MountAllowlist = { ...allowlist, allowedRoots: [{ path: home, allowReadWrite: true }] }
    expect(
      checkExtraMount({ hostPath: join(dataDir, 'ngb.db'), containerPath: 'db' }, wide, ctx(true)).ok,
    ).toBe(false)
    expect(checkExtraMount({ hostPath: configDir, containerPath: 'cfg' }, wide, ctx(true)).ok).toBe(false)
  })
})

describe('extra mounts: container paths', () => {
  test.each(['/etc', '../up', 'a/../../b', 'a,b', 'x:y', '.', './', 'a/./b', 'a/..'])(
    'rejects container path %p',
    (containerPath) => {
      expect(check(join(projects, 'app'), { containerPath })).toMatchObject({ ok: false })
    },
  )

  test('defaults to the host base name and accepts nested relative paths', () => {
    expect(check(join(projects, 'app', 'src'))).toMatchObject({
      ok: true,
      mount: { containerPath: '/workspace/extra/src' },
    })
    expect(check(join(projects, 'app'), { containerPath: 'a/b' })).toMatchObject({
      ok: true,
      mount: { containerPath: '/workspace/extra/a/b' },
    })
  })
})

describe('extra mounts: host paths with a comma', () => {
  test('a comma in an allowed host path is mounted (docker gets it quoted), never failing the run', () => {
    const dir = join(projects, 'a,b')
    mkdirSync(dir, { recursive: true })
    const d = check(dir, { containerPath: 'ab' })
    expect(d).toMatchObject({ ok: true, mount: { hostPath: dir, containerPath: '/workspace/extra/ab' } })
  })
})

describe('extra mounts: read-write rules', () => {
  const app = join(projects, 'app')
  test('main gets read-write when asked and the root allows it', () => {
    expect(check(app, { readonly: false, isMain: true })).toMatchObject({ mount: { readonly: false } })
  })
  test('read-only unless asked for write', () => {
    expect(check(app, { isMain: true })).toMatchObject({ mount: { readonly: true } })
  })
  test('non-main is forced read-only when nonMainReadOnly is set', () => {
    expect(check(app, { readonly: false, isMain: false })).toMatchObject({ mount: { readonly: true } })
  })
  test('non-main may write when nonMainReadOnly is false', () => {
    const d = checkExtraMount(
      { hostPath: app, containerPath: 'a', readonly: false },
      { ...allowlist, nonMainReadOnly: false },
      ctx(false),
    )
    expect(d).toMatchObject({ mount: { readonly: false } })
  })
  test('a root without allowReadWrite stays read-only even for main', () => {
    expect(check(readonlyRoot, { readonly: false, isMain: true })).toMatchObject({
      mount: { readonly: true },
    })
  })
})

describe('loading the allowlist', () => {
  const dir = tempDir('ngb-allow-')
  test('a missing file means no extra mounts', () => {
    const load = loadMountAllowlist(join(dir, 'missing.json'))
    expect(load.ok).toBe(false)
    const r = extraMounts([{ hostPath: join(projects, 'app'), containerPath: 'app' }], undefined, ctx(true))
    expect(r.mounts).toEqual([])
    expect(r.rejected[0]?.reason).toContain('no valid mount allowlist')
  })
  test('invalid JSON and a wrong shape are reported with a reason', () => {
    writeFileSync(join(dir, 'bad.json'), '{nope')
    writeFileSync(
      join(dir, 'shape.json'),
      JSON.stringify({ allowedRoots: [], blockedPatterns: 'x', nonMainReadOnly: true }),
    )
    writeFileSync(join(dir, 'partial.json'), JSON.stringify({ allowedRoots: [] }))
    expect(loadMountAllowlist(join(dir, 'bad.json'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not valid JSON'),
    })
    expect(loadMountAllowlist(join(dir, 'shape.json'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('blockedPatterns'),
    })
    expect(loadMountAllowlist(join(dir, 'partial.json')).ok).toBe(false)
  })
  test('a valid file loads', () => {
    writeFileSync(join(dir, 'good.json'), JSON.stringify(allowlist))
    expect(loadMountAllowlist(join(dir, 'good.json'))).toMatchObject({ ok: true, allowlist })
  })
  test('duplicate container paths: the first wins, the second is rejected', () => {
    const r = extraMounts(
      [
        { hostPath: join(projects, 'app'), containerPath: 'x' },
        { hostPath: readonlyRoot, containerPath: 'x' },
      ],
      allowlist,
      ctx(true),
    )
    expect(r.mounts).toHaveLength(1)
    expect(r.rejected[0]?.reason).toContain('already mounted')
  })
})
