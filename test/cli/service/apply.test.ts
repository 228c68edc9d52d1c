import { describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ApplyDeps, CommandResult } from '../../../src/cli/service/apply.ts'
import { installService, serviceStatus, uninstallService } from '../../../src/cli/service/apply.ts'
import type { HostFacts } from '../../../src/cli/service/plan.ts'
import { planService } from '../../../src/cli/service/plan.ts'
import { tempDir } from '../../helpers/temp.ts'

function setup(managerRunning: boolean, answers: Record<string, CommandResult> = {}) {
  const home = tempDir('ngb-svc-')
  const facts: HostFacts = {
    platform: 'linux',
    env: {},
    uid: 1000,
    username: 'ada',
    home,
    execPath: '/usr/local/bin/ngb',
    mainPath: '/$bunfs/root/ngb',
    tmpDir: '/tmp',
    hasDockerGroup: false,
  }
  const ran: string[] = []
  const said: string[] = []
  const deps: ApplyDeps = {
    managerRunning,
    run: async (cmd) => {
      ran.push(cmd.join(' '))
      return answers[cmd.join(' ')] ?? { code: 0, out: '', err: '' }
    },
    say: (l) => said.push(l),
  }
  const plan = planService(facts, { name: 'ngb', dataDir: join(home, 'data') })
  return { plan, deps, ran, said, home }
}

describe('installService', () => {
  test('writes the unit and enables it when systemd runs; a second identical install is a no-op', async () => {
    const { plan, deps, ran } = setup(true)
    expect(await installService(plan, {}, deps)).toBe('written')
    expect(readFileSync(plan.file, 'utf8')).toBe(plan.content)
    expect(ran).toEqual(['systemctl --user daemon-reload', 'systemctl --user enable --now ngb.service'])
    expect(await installService(plan, {}, deps)).toBe('unchanged')
  })

  test('refuses to replace a different unit unless forced', async () => {
    const { plan, deps } = setup(false)
    await installService(plan, {}, deps)
    writeFileSync(plan.file, '[Unit]\nDescription=mine\n')
    await expect(installService(plan, {}, deps)).rejects.toThrow(
      'already exists with other content; use --force',
    )
    expect(readFileSync(plan.file, 'utf8')).toBe('[Unit]\nDescription=mine\n')
    expect(await installService(plan, { force: true }, deps)).toBe('written')
    expect(readFileSync(plan.file, 'utf8')).toBe(plan.content)
  })

  test('without systemd it prints the steps instead of running them', async () => {
    const { plan, deps, ran, said } = setup(false)
    await installService(plan, {}, deps)
    expect(ran).toEqual([])
    expect(said).toContain('  systemctl --user enable --now ngb.service')
  })

  test('a failing systemctl is an error naming the command', async () => {
    const { plan, deps } = setup(true, {
      'systemctl --user daemon-reload': { code: 1, out: '', err: 'Failed to connect to bus\nmore' },
    })
    await expect(installService(plan, {}, deps)).rejects.toThrow(
      '`systemctl --user daemon-reload` failed: Failed to connect to bus',
    )
  })
})

describe('uninstallService and serviceStatus', () => {
  test('status reports installed/current and asks systemd; uninstall disables, removes, reloads', async () => {
    const { plan, deps, ran } = setup(true, {
      'systemctl --user is-active ngb.service': { code: 3, out: 'inactive\n', err: '' },
      'systemctl --user is-enabled ngb.service': { code: 0, out: 'enabled\n', err: '' },
    })
    expect(await serviceStatus(plan, deps)).toMatchObject({ installed: false, current: false })
    await installService(plan, {}, deps)
    expect(await serviceStatus(plan, deps)).toEqual({
      kind: 'systemd',
      scope: 'user',
      file: plan.file,
      installed: true,
      current: true,
      manager: { 'is-enabled': 'enabled', 'is-active': 'inactive' },
    })
    ran.length = 0
    await uninstallService(plan, deps)
    expect(existsSync(plan.file)).toBe(false)
    expect(ran).toEqual(['systemctl --user disable --now ngb.service', 'systemctl --user daemon-reload'])
    await expect(uninstallService(plan, deps)).rejects.toThrow('no service installed at')
  })
})
