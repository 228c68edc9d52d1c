import { describe, expect, test } from 'bun:test'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { PLATFORMS } from '../../../src/channels/platforms.ts'
import { NGB_SOURCE } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/temp.ts'
import { HAS_TMUX, startTmux } from '../../helpers/tmux.ts'

describe.skipIf(!HAS_TMUX)('ngb init on a terminal', () => {
  test('asks, re-asks a bad answer, hides the password, writes 0600 files and prints the URL', async () => {
    const home = tempDir('ngb-init-tty-')
    const t = startTmux([process.execPath, NGB_SOURCE, 'init', '--agent', 'mock', '--no-image'], {
      HOME: home,
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NO_COLOR: '1',
    })
    try {
      await t.waitFor('Assistant name (people write @name to it) [Andy]:')
      t.type('not a name!')
      t.keys('Enter')
      await t.waitFor('assistant name "not a name!": use 1-32 letters, digits, _ or -')
      t.type('Zed')
      t.keys('Enter')
      await t.waitFor('Admin password for the dashboard (at least 8 characters):')
      t.type('tty-secret-pass')
      t.keys('Enter')
      await t.waitFor('Once more:')
      t.type('tty-secret-pass')
      t.keys('Enter')
      for (const label of PLATFORMS.map((row) => row.label)) {
        await t.waitFor(`Connect ${label}? [y/N]:`)
        t.keys('Enter')
      }
      await t.waitFor('Run ngb as a service now? [y/N]:')
      t.type('n')
      t.keys('Enter')
      await t.waitFor('Dashboard: http://127.0.0.1:8080')
      expect(await t.exitCode()).toBe(0)
      expect(t.screen()).not.toContain('tty-secret-pass')
    } finally {
      t.kill()
    }
    const toml = join(home, '.config', 'nanogridbot', 'ngb.toml')
    const env = join(home, '.local', 'share', 'nanogridbot', '.env')
    expect(readFileSync(toml, 'utf8')).toContain('assistant_name = "Zed"')
    expect(readFileSync(env, 'utf8')).toContain('NGB_ADMIN_PASSWORD="tty-secret-pass"')
    expect((statSync(env).mode & 0o777).toString(8)).toBe('600')
  }, 60_000)
})
