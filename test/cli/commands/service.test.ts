import { describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { compiledBinary } from '../../helpers/binary.ts'
import { runNgb } from '../../helpers/cli.ts'
import { parseUnit, SYSTEMD_ANALYZE, verifyUnit } from '../../helpers/systemd.ts'
import { tempDir } from '../../helpers/temp.ts'

const home = tempDir('ngb-service-cli-')
const env = {
  HOME: home,
  XDG_CONFIG_HOME: undefined,
  NGB_DATA_DIR: join(home, 'data'),
  NGB_CONFIG: undefined,
}
const unitFile = join(home, '.config', 'systemd', 'user', 'ngb.service')

describe('ngb service', () => {
  test('install --user --dry-run prints a unit that systemd accepts (or that parses) and writes nothing', async () => {
    const r = await runNgb(['service', 'install', '--user', '--dry-run'], { env })
    expect(r.code).toBe(0)
    expect(r.stderr).toContain(`dry run: would write ${unitFile}`)
    expect(existsSync(unitFile)).toBe(false)
    const unit = parseUnit(r.stdout)
    expect(unit.Service?.ExecStart?.[0]).toBe(
      `${process.execPath} ${join(import.meta.dir, '../../../src/main.ts')} serve`,
    )
    expect(unit.Service?.Environment).toContain(`"NGB_DATA_DIR=${join(home, 'data')}"`)
    expect(unit.Service?.EnvironmentFile).toEqual([`-${join(home, '.config', 'nanogridbot', 'ngb.env')}`])
    expect(unit.Service?.Restart).toEqual(['on-failure'])
    expect(unit.Install?.WantedBy).toEqual(['default.target'])
    const verified = verifyUnit(r.stdout, tempDir('ngb-verify-'), true)
    if (verified) expect(verified).toEqual({ code: 0, output: '' })
    else process.stderr.write('systemd-analyze not installed: checked the parsed unit only\n')
  })

  test.skipIf(!SYSTEMD_ANALYZE)('systemd-analyze notices a broken unit, so the check above can fail', () => {
    const bad = verifyUnit('[Service]\nExecStart=/bin/true\nBogusKey=1\n', tempDir('ngb-verify-'), true)
    expect(bad?.output).toContain("Unknown key 'BogusKey'")
  })

  test('install writes the unit, prints the steps without systemd, refuses to overwrite, status and uninstall', async () => {
    const first = await runNgb(['service', 'install', '--user'], { env })
    expect(first.code).toBe(0)
    expect(first.stderr).toContain(`wrote ${unitFile}`)
    expect(first.stderr).toContain('systemctl --user enable --now ngb.service')
    expect(readFileSync(unitFile, 'utf8')).toBe(first.stdout)

    const other = await runNgb(['service', 'install', '--user', '--data-dir', join(home, 'other')], { env })
    expect(other.code).toBe(1)
    expect(other.stderr).toBe(
      `ngb: ${unitFile} already exists with other content; use --force to replace it\n`,
    )
    const stale = await runNgb(['service', 'status', '--user', '--json', '--data-dir', join(home, 'other')], {
      env,
    })
    expect(JSON.parse(stale.stdout)).toMatchObject({ installed: true, current: false, file: unitFile })
    const otherLogs = join(home, 'other', 'logs')
    mkdirSync(otherLogs, { recursive: true })
    writeFileSync(
      join(otherLogs, 'ngb.log'),
      `${JSON.stringify({ ts: Date.UTC(2026, 11, 6, 12), level: 'info', msg: 'serving the dashboard', component: 'web' })}\n`,
    )
    const withLog = await runNgb(['service', 'status', '--user', '--data-dir', join(home, 'other')], { env })
    expect(withLog.stdout).toContain(`log: ${join(otherLogs, 'ngb.log')}`)
    expect(withLog.stdout).toMatch(/ {2}2026-12-06 \d\d:00:00\.000 info {2}\[web\] serving the dashboard/)
    const forced = await runNgb(
      ['service', 'install', '--user', '--force', '--data-dir', join(home, 'other')],
      {
        env,
      },
    )
    expect(forced.code).toBe(0)
    expect(readFileSync(unitFile, 'utf8')).toContain(join(home, 'other'))

    const removed = await runNgb(['service', 'uninstall', '--user'], { env })
    expect(removed.code).toBe(0)
    expect(existsSync(unitFile)).toBe(false)
    const status = await runNgb(['service', 'status', '--user'], { env })
    expect(status.code).toBe(1)
    expect(status.stdout).toContain('installed: no')
    const again = await runNgb(['service', 'uninstall', '--user'], { env })
    expect(again.code).toBe(1)
    expect(again.stderr).toBe(`ngb: no service installed at ${unitFile}\n`)
  })

  test('bad input is a usage error', async () => {
    const both = await runNgb(['service', 'install', '--user', '--system', '--dry-run'], { env })
    expect(both.code).toBe(2)
    expect(both.stderr).toBe(
      'ngb: choose one of --user and --system\nhint: run `ngb service install --help`\n',
    )
    const name = await runNgb(['service', 'install', '--user', '--dry-run', '--name', 'No Way'], { env })
    expect(name.code).toBe(2)
    const sub = await runNgb(['service', 'restart'], { env })
    expect(sub.code).toBe(2)
    expect(sub.stderr).toStartWith('ngb: Unknown command restart\n')
  })

  test('the compiled binary puts itself in ExecStart', async () => {
    const binary = compiledBinary()
    const r = await runNgb(['service', 'install', '--user', '--dry-run'], { env, binary })
    expect(r.code).toBe(0)
    expect(parseUnit(r.stdout).Service?.ExecStart).toEqual([`${binary} serve`])
    const verified = verifyUnit(r.stdout, tempDir('ngb-verify-'), true)
    if (verified) expect(verified).toEqual({ code: 0, output: '' })
  })
})
