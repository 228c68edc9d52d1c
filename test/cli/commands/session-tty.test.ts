import { describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { NGB_SOURCE, runNgb } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/temp.ts'
import { HAS_TMUX, startTmux } from '../../helpers/tmux.ts'

const env = (dataDir: string) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/root',
  TERM: 'xterm-256color',
  NGB_DATA_DIR: dataDir,
})

/** The terminal side of `ngb session` in a real pty; no message is sent, so no container starts. */
describe.skipIf(!HAS_TMUX)('ngb session in a terminal', () => {
  test('banner, /status, /help; history across sessions; Ctrl+C twice quits with exit 0', async () => {
    const dataDir = tempDir('ngb-session-tty-')
    expect((await runNgb(['groups', 'add', 'main', '--data-dir', dataDir])).code).toBe(0)
    const t = startTmux([process.execPath, NGB_SOURCE, 'session'], env(dataDir))
    try {
      await t.waitFor('ngb session with main (main): /help for commands, /exit to leave')
      t.type('/status')
      t.keys('Enter')
      await t.waitFor('agent:     waiting for you')
      expect(t.screen()).toContain('container: (none yet; the next message starts one)')
      t.type('/help')
      t.keys('Enter')
      await t.waitFor('Ctrl+C interrupts the agent, twice quits')
      t.keys('C-c')
      await t.waitFor('(press Ctrl+C again or type /exit to quit)')
      t.keys('C-c')
      expect(await t.exitCode()).toBe(0)
    } finally {
      t.kill()
    }
    expect(readFileSync(join(dataDir, 'cli-history'), 'utf8')).toBe('/status\n/help\n')

    const again = startTmux([process.execPath, NGB_SOURCE, 'shell', '-g', 'main'], env(dataDir))
    try {
      await again.waitFor('/exit to leave')
      again.keys('Up')
      await again.waitFor(/> \/help\s*$/m)
      again.keys('C-u')
      again.type('/exit')
      again.keys('Enter')
      expect(await again.exitCode()).toBe(0)
    } finally {
      again.kill()
    }
  })

  test('an unknown group is a one-line error before any prompt', async () => {
    const dataDir = tempDir('ngb-session-tty-')
    const t = startTmux([process.execPath, NGB_SOURCE, 'session', 'ghost'], env(dataDir))
    try {
      expect(await t.exitCode()).toBe(1)
      expect(t.screen()).toContain('ngb: group "ghost" does not exist (see `ngb groups ls`)')
      expect(existsSync(join(dataDir, 'cli-history'))).toBe(false)
    } finally {
      t.kill()
    }
  })
})
