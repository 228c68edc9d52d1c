import { describe, expect, test } from 'bun:test'
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildRunArgs, containerUser } from '../../../src/core/container/args.ts'
import { groupDirs, groupMounts, prepareGroupDirs } from '../../../src/core/container/mounts.ts'
import { InvalidInputError } from '../../../src/core/errors.ts'
import { tempDir } from '../../helpers/temp.ts'

const data = tempDir('ngb-data-')
const roots = {
  groups: join(data, 'groups'),
  global: join(data, 'groups', 'global'),
  ipc: join(data, 'ipc'),
  state: join(data, 'state'),
}

describe('group dirs and fixed mounts', () => {
  test('rejects folder names that could escape or collide', () => {
    for (const bad of ['../x', 'A', '', '-x', 'a/b', 'global', 'x'.repeat(65)]) {
      expect(() => groupDirs(roots, bad)).toThrow(InvalidInputError)
    }
  })

  test('creates the group dirs before mounting and clears stale input', () => {
    const dirs = groupDirs(roots, 'team')
    prepareGroupDirs(dirs)
    writeFileSync(join(dirs.ipc, 'input', '_close'), '')
    writeFileSync(join(dirs.ipc, 'input', '1-a.json'), '{}')
    prepareGroupDirs(dirs)
    for (const d of [
      dirs.group,
      dirs.logs,
      dirs.state,
      dirs.global,
      join(dirs.ipc, 'messages'),
      join(dirs.ipc, 'tasks'),
    ])
      expect(existsSync(d)).toBe(true)
    expect(readdirSync(join(dirs.ipc, 'input'))).toEqual([])
  })

  test('gives the container user ownership of the mounted dirs', () => {
    const dirs = groupDirs(roots, 'owned')
    const owner = { uid: 4242, gid: 4343 }
    if (process.getuid?.() === 0) {
      prepareGroupDirs(dirs, owner)
      for (const d of [dirs.group, dirs.state, dirs.ipc, join(dirs.ipc, 'input')]) {
        expect(statSync(d).uid).toBe(owner.uid)
        expect(statSync(d).gid).toBe(owner.gid)
      }
    } else {
      expect(() => prepareGroupDirs(dirs, owner)).toThrow()
    }
  })

  test('main gets group, state and ipc; non-main also gets global read-only; nothing else', () => {
    const dirs = groupDirs(roots, 'team')
    const main = groupMounts(dirs, true)
    expect(main.map((m) => [m.containerPath, m.readonly])).toEqual([
      ['/workspace/group', false],
      ['/home/agent/.claude', false],
      ['/workspace/ipc', false],
    ])
    const other = groupMounts(dirs, false)
    expect(other.find((m) => m.containerPath === '/workspace/global')).toEqual({
      hostPath: roots.global,
      containerPath: '/workspace/global',
      readonly: true,
    })
    for (const m of other) {
      expect(m.hostPath).not.toBe(data)
      expect(m.hostPath.endsWith('.db')).toBe(false)
      expect(m.hostPath.includes('.env')).toBe(false)
    }
  })
})

describe('run argv', () => {
  const spec = {
    name: 'ngb-team-1',
    image: 'ngb-agent:test',
    labels: { 'ngb.install': 'abc', 'ngb.group': 'team' },
    user: '1000:1000',
    network: 'none' as const,
    memory: '512m',
    cpus: '1',
    pidsLimit: 256,
    mounts: [{ hostPath: '/d/groups/team', containerPath: '/workspace/group', readonly: false }],
  }

  test('has every hardening flag of DESIGN §5 and the image last', () => {
    expect(buildRunArgs(spec)).toEqual([
      'run',
      '-i',
      '--rm',
      '--name',
      'ngb-team-1',
      '--label',
      'ngb.install=abc',
      '--label',
      'ngb.group=team',
      '--user',
      '1000:1000',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--pids-limit',
      '256',
      '--memory',
      '512m',
      '--memory-swap',
      '512m',
      '--read-only',
      '--tmpfs',
      '/tmp:rw,exec,nosuid,nodev,size=256m,mode=1777',
      '--tmpfs',
      '/home/agent:rw,exec,nosuid,nodev,size=256m,mode=1777',
      '--cpus',
      '1',
      '--network',
      'none',
      '--mount',
      'type=bind,source=/d/groups/team,target=/workspace/group',
      'ngb-agent:test',
    ])
  })

  test('never passes environment flags', () => {
    const argv = buildRunArgs(spec)
    expect(argv.some((a) => a === '-e' || a.startsWith('--env'))).toBe(false)
  })

  test('read-only mounts say so; a comma or quote in a path is CSV-quoted as docker --mount reads it', () => {
    const ro = buildRunArgs({
      ...spec,
      mounts: [{ hostPath: '/g', containerPath: '/workspace/global', readonly: true }],
    })
    expect(ro).toContain('type=bind,source=/g,target=/workspace/global,readonly')
    const comma = buildRunArgs({
      ...spec,
      mounts: [{ hostPath: '/a,b/"q"', containerPath: '/x', readonly: true }],
    })
    expect(comma).toContain('type=bind,"source=/a,b/""q""",target=/x,readonly')
  })

  test('never root: root on the host maps to uid 1000', () => {
    expect(containerUser(0, 0)).toEqual({ uid: 1000, gid: 1000 })
    expect(containerUser(1234, 99)).toEqual({ uid: 1234, gid: 99 })
  })
})
