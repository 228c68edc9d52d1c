import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startTelegramFake } from '../../fakes/telegram.ts'
import { runNgb } from '../../helpers/cli.ts'
import { dockerTest } from '../../helpers/docker.ts'
import { tempDir } from '../../helpers/temp.ts'

const PASSWORD = 'init-admin-pass-1'

/** A fresh HOME; everything ngb init writes lands under it (config dir and data dir). */
function home() {
  const dir = tempDir('ngb-init-')
  return {
    dir,
    toml: join(dir, '.config', 'nanogridbot', 'ngb.toml'),
    dataDir: join(dir, 'agents'),
    /** Only HOME: later commands must find everything through the files init wrote. */
    plainEnv: {
      HOME: dir,
      XDG_CONFIG_HOME: undefined,
      XDG_DATA_HOME: undefined,
      NGB_DATA_DIR: undefined,
      NGB_CONFIG: undefined,
    },
  }
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8)

describe('ngb init', () => {
  const telegram = startTelegramFake()
  afterAll(() => telegram.stop())

  dockerTest(
    'non-interactive: mock agent + Telegram checked against its API, 0600 files, image built, then a first reply',
    async () => {
      const h = home()
      const r = await runNgb(
        ['init', '--yes', '--agent', 'mock', '--assistant-name', 'Bob', '--platform', 'telegram'],
        {
          env: {
            ...h.plainEnv,
            NGB_DATA_DIR: h.dataDir,
            NGB_ADMIN_PASSWORD: PASSWORD,
            TELEGRAM_BOT_TOKEN: telegram.token,
            TELEGRAM_API_ROOT: telegram.apiRoot,
            ANTHROPIC_API_KEY: undefined,
            CLAUDE_CODE_OAUTH_TOKEN: undefined,
          },
          timeoutMs: 120_000,
        },
      )
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(r.stdout).toContain(`Telegram: credentials accepted (@${telegram.bot.username})`)
      expect(r.stdout).toMatch(/ngb-agent:test (built|is up to date)/)
      expect(r.stdout).toContain('Dashboard: http://127.0.0.1:8080')
      expect(telegram.calls.calls.some((c) => c.method === 'getMe')).toBe(true)

      const envFile = join(h.dataDir, '.env')
      expect(mode(h.toml)).toBe('600')
      expect(mode(envFile)).toBe('600')
      const toml = readFileSync(h.toml, 'utf8')
      expect(toml).toContain('assistant_name = "Bob"')
      expect(toml).toContain(`data_dir = "${h.dataDir}"`)
      expect(toml).toContain('provider = "mock"')
      expect(toml).toContain(`api_root = "${telegram.apiRoot}"`)
      expect(toml).not.toContain(telegram.token)
      expect(toml).not.toContain(PASSWORD)
      const dotenv = readFileSync(envFile, 'utf8')
      expect(dotenv).toContain(`TELEGRAM_BOT_TOKEN="${telegram.token}"`)
      expect(dotenv).toContain(`NGB_ADMIN_PASSWORD="${PASSWORD}"`)

      // From here on only HOME is set: the defaults find ngb.toml, which names the data dir and its .env.
      const shown = await runNgb(['config', 'show', '--json'], { env: h.plainEnv })
      const rows = JSON.parse(shown.stdout) as Array<{ env: string; value: string; source: string }>
      const row = (env: string) => rows.find((x) => x.env === env)
      expect(row('NGB_ASSISTANT_NAME')).toMatchObject({
        value: 'Bob',
        source: expect.stringContaining('ngb.toml'),
      })
      expect(row('TELEGRAM_BOT_TOKEN')?.value).not.toContain(telegram.token)
      expect(row('TELEGRAM_BOT_TOKEN')?.source).toContain('.env')

      const reply = await runNgb(['run', '-g', 'main', '-p', 'hello'], { env: h.plainEnv, timeoutMs: 60_000 })
      expect(reply.stderr).not.toContain('error')
      expect(reply.stdout).toBe('mock: hello\n')
      expect(reply.code).toBe(0)
    },
    180_000,
  )

  test('a token the platform refuses stops init with what the platform said, and nothing is written', async () => {
    const h = home()
    const r = await runNgb(['init', '--yes', '--agent', 'mock', '--no-image', '--platform', 'telegram'], {
      env: {
        ...h.plainEnv,
        NGB_ADMIN_PASSWORD: PASSWORD,
        TELEGRAM_BOT_TOKEN: '999:not-the-token',
        TELEGRAM_API_ROOT: telegram.apiRoot,
      },
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('Telegram refused the bot token: Unauthorized')
    expect(existsSync(h.toml)).toBe(false)
  })

  test('without a terminal, a missing admin password or an unknown platform is named', async () => {
    const h = home()
    const noPassword = await runNgb(['init', '--yes', '--agent', 'mock', '--no-image'], {
      env: { ...h.plainEnv, NGB_ADMIN_PASSWORD: undefined },
    })
    expect(noPassword.code).toBe(2)
    expect(noPassword.stderr).toContain('set NGB_ADMIN_PASSWORD (at least 8 characters)')
    const unknown = await runNgb(
      ['init', '--yes', '--agent', 'mock', '--no-image', '--platform', 'myspace'],
      {
        env: { ...h.plainEnv, NGB_ADMIN_PASSWORD: PASSWORD },
      },
    )
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('--platform myspace: expected one of telegram, discord, slack')
    const claude = await runNgb(['init', '--yes', '--no-image'], {
      env: {
        ...h.plainEnv,
        NGB_ADMIN_PASSWORD: PASSWORD,
        ANTHROPIC_API_KEY: undefined,
        CLAUDE_CODE_OAUTH_TOKEN: undefined,
      },
    })
    expect(claude.code).toBe(2)
    expect(claude.stderr).toContain('set ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN, or pass --agent mock')
  })

  test('an existing configuration is kept unless --force', async () => {
    const h = home()
    mkdirSync(join(h.toml, '..'), { recursive: true })
    writeFileSync(h.toml, 'assistant_name = "Kept"\n')
    const env = { ...h.plainEnv, NGB_ADMIN_PASSWORD: PASSWORD }
    const kept = await runNgb(['init', '--yes', '--agent', 'mock', '--no-image'], { env })
    expect(kept.code).toBe(1)
    expect(kept.stderr).toContain(`${h.toml} already exist; pass --force`)
    expect(readFileSync(h.toml, 'utf8')).toBe('assistant_name = "Kept"\n')
    const forced = await runNgb(['init', '--yes', '--agent', 'mock', '--no-image', '--force'], { env })
    expect(forced.code).toBe(0)
    // Re-running init offers what is configured as the defaults: the name stays, the rest is new.
    expect(readFileSync(h.toml, 'utf8')).toContain('assistant_name = "Kept"')
    expect(readFileSync(h.toml, 'utf8')).toContain('provider = "mock"')
  })
})
