import { describe, expect, test } from 'bun:test'
import type { HostFacts } from '../../../src/cli/service/plan.ts'
import { planService, serveCommand } from '../../../src/cli/service/plan.ts'
import { parseUnit } from '../../helpers/systemd.ts'

const linux: HostFacts = {
  platform: 'linux',
  env: { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' },
  uid: 1000,
  username: 'ada',
  home: '/home/ada',
  execPath: '/usr/local/bin/ngb',
  mainPath: '/$bunfs/root/ngb',
  tmpDir: '/tmp',
  hasDockerGroup: true,
}

describe('planService', () => {
  test('a non-root user gets a user unit that starts the compiled binary, wanted by default.target', () => {
    const plan = planService(linux, { name: 'ngb', dataDir: '/home/ada/.local/share/nanogridbot' })
    expect(plan.file).toBe('/home/ada/.config/systemd/user/ngb.service')
    const unit = parseUnit(plan.content)
    expect(unit.Service?.ExecStart).toEqual(['/usr/local/bin/ngb serve'])
    expect(unit.Service?.Restart).toEqual(['on-failure'])
    expect(unit.Service?.EnvironmentFile).toEqual(['-/home/ada/.config/nanogridbot/ngb.env'])
    expect(unit.Service?.Environment).toEqual([
      '"NGB_DATA_DIR=/home/ada/.local/share/nanogridbot"',
      '"DOCKER_HOST=unix:///run/user/1000/docker.sock"',
    ])
    expect(unit.Service?.User).toBeUndefined()
    expect(unit.Unit?.Requires).toBeUndefined()
    expect(unit.Install?.WantedBy).toEqual(['default.target'])
    expect(plan.enable).toEqual([
      ['systemctl', '--user', 'daemon-reload'],
      ['systemctl', '--user', 'enable', '--now', 'ngb.service'],
    ])
    expect(plan.notes.join('\n')).toContain('loginctl enable-linger ada')
  })

  test('root gets a system unit running as the sudo user with the docker group, after docker.service', () => {
    const plan = planService(
      { ...linux, uid: 0, username: 'root', env: { SUDO_USER: 'ada' } },
      { name: 'ngb-lab', dataDir: '/var/lib/ngb' },
    )
    expect(plan.file).toBe('/etc/systemd/system/ngb-lab.service')
    const unit = parseUnit(plan.content)
    expect(unit.Service?.User).toEqual(['ada'])
    expect(unit.Service?.SupplementaryGroups).toEqual(['docker'])
    expect(unit.Service?.EnvironmentFile).toEqual(['-/etc/nanogridbot/ngb-lab.env'])
    expect(unit.Unit?.Requires).toEqual(['docker.service'])
    expect(unit.Install?.WantedBy).toEqual(['multi-user.target'])
    expect(plan.enable[1]).toEqual(['systemctl', 'enable', '--now', 'ngb-lab.service'])
  })

  test('from source it runs bun with the absolute entry file; a binary in /tmp gets a warning', () => {
    const src = { ...linux, execPath: '/usr/bin/bun', mainPath: '/src/ngb/src/main.ts' }
    expect(serveCommand(src)).toEqual(['/usr/bin/bun', '/src/ngb/src/main.ts', 'serve'])
    const tmp = planService({ ...linux, execPath: '/tmp/ngb' }, { name: 'ngb', dataDir: '/d' })
    expect(tmp.notes[0]).toContain('/tmp/ngb is in a temporary directory')
  })

  test('systemd specifiers and quotes in paths are escaped', () => {
    const plan = planService(
      { ...linux, execPath: '/opt/my tools/ngb' },
      { name: 'ngb', dataDir: '/data/100%"x"' },
    )
    const unit = parseUnit(plan.content)
    expect(unit.Service?.ExecStart).toEqual(['"/opt/my tools/ngb" serve'])
    expect(unit.Service?.WorkingDirectory).toEqual(['-/data/100%%"x"'])
    expect(unit.Service?.Environment?.[0]).toBe('"NGB_DATA_DIR=/data/100%%\\"x\\""')
  })

  test('macOS gets a LaunchAgent plist that restarts on failure', () => {
    const plan = planService(
      { ...linux, platform: 'darwin', home: '/Users/ada' },
      { name: 'ngb', dataDir: '/Users/ada/ngb & co' },
    )
    expect(plan.kind).toBe('launchd')
    expect(plan.file).toBe('/Users/ada/Library/LaunchAgents/dev.nanogridbot.ngb.plist')
    expect(plan.content).toContain('<string>/usr/local/bin/ngb</string>\n      <string>serve</string>')
    expect(plan.content).toContain('<key>SuccessfulExit</key>\n      <false/>')
    expect(plan.content).toContain('<string>/Users/ada/ngb &amp; co</string>')
    expect(plan.enable).toEqual([['launchctl', 'bootstrap', 'gui/1000', plan.file]])
    // Balanced tags: a cheap well-formedness check without a plist parser.
    for (const tag of ['dict', 'array', 'plist']) {
      expect(plan.content.split(`<${tag}`).length).toBe(plan.content.split(`</${tag}>`).length)
    }
  })

  test('rejects a bad name, both scopes at once, and an unsupported platform', () => {
    expect(() => planService(linux, { name: 'Bad Name', dataDir: '/d' })).toThrow('--name must be')
    expect(() => planService(linux, { name: 'ngb', dataDir: '/d', user: true, system: true })).toThrow(
      'choose one of --user and --system',
    )
    expect(() => planService({ ...linux, platform: 'win32' }, { name: 'ngb', dataDir: '/d' })).toThrow(
      'not win32',
    )
  })
})
