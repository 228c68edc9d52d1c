import { describe, expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createMountPolicy } from '../../../src/core/container/mount-policy.ts'
import { formatMountSpec, parseMountSpec } from '../../../src/core/container/mount-spec.ts'
import { InvalidInputError } from '../../../src/core/errors.ts'
import { createEventBus } from '../../../src/core/events.ts'
import { createGroupsService } from '../../../src/core/groups.ts'
import { testDb } from '../../helpers/db.ts'
import { tempDir } from '../../helpers/temp.ts'

describe('mount specs (host:container[:ro])', () => {
  test.each([
    ['~/projects/app:app', { hostPath: '~/projects/app', containerPath: 'app', readonly: false }],
    ['~/projects/app:app:ro', { hostPath: '~/projects/app', containerPath: 'app', readonly: true }],
    ['/srv/a:b:c:rw', { hostPath: '/srv/a:b', containerPath: 'c', readonly: false }],
    ['/srv/data', { hostPath: '/srv/data', containerPath: '', readonly: false }],
  ])('parses %p', (spec, mount) => {
    expect(parseMountSpec(spec)).toEqual(mount)
    expect(parseMountSpec(formatMountSpec(mount))).toEqual(mount)
  })
  test.each(['', '  ', ':app'])('refuses %p', (spec) => {
    expect(() => parseMountSpec(spec)).toThrow(InvalidInputError)
  })
})

describe('extra mounts are checked when saved', () => {
  const home = tempDir('ngb-mhome-')
  const configDir = join(home, '.config', 'nanogridbot')
  mkdirSync(join(home, 'projects', 'app'), { recursive: true })
  mkdirSync(configDir, { recursive: true })
  const allowlistFile = join(configDir, 'mount-allowlist.json')
  function service() {
    const { repos } = testDb()
    const policy = createMountPolicy({ allowlistFile, home, protectedPaths: [configDir] })
    const groups = createGroupsService({
      repos,
      bus: createEventBus(),
      clock: { now: () => 1 },
      groupsDir: tempDir(),
      checkMount: policy.check,
    })
    groups.createGroup({ folder: 'main' })
    groups.createGroup({ folder: 'team' })
    return groups
  }
  const setMounts = (groups: ReturnType<typeof service>, ...specs: string[]) =>
    groups.updateGroup('team', { settings: { extraMounts: specs.map(parseMountSpec) } })

  test('without an allowlist, a mount is refused with the reason and the file to create', () => {
    const groups = service()
    expect(() => setMounts(groups, '~/projects/app:app')).toThrow(/extra mount 1 .*no valid mount allowlist/)
  })

  test('the allowlist decides; "." and ".." container paths are refused; a good one is stored', () => {
    writeFileSync(
      allowlistFile,
      JSON.stringify({
        allowedRoots: [{ path: '~/projects', allowReadWrite: false }],
        blockedPatterns: [],
        nonMainReadOnly: true,
      }),
    )
    const groups = service()
    expect(() => setMounts(groups, '~/projects/app:.')).toThrow(/must not contain "\."/)
    expect(() => setMounts(groups, '~/projects/app:../x')).toThrow(/must not contain "\.\."/)
    expect(() => setMounts(groups, '~/projects/app:ok', '/etc:etc')).toThrow(
      /extra mount 2 \(\/etc\): .*not inside any allowed root/,
    )
    const error = (() => {
      try {
        setMounts(groups, '~/projects/app:.')
      } catch (e) {
        return e
      }
    })()
    expect(error).toMatchObject({ field: 'settings.extraMounts' })
    setMounts(groups, '~/projects/app:app:ro')
    expect(groups.get('team')?.settings.extraMounts).toEqual([
      { hostPath: '~/projects/app', containerPath: 'app', readonly: true },
    ])
  })
})
