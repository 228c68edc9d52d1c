import { describe, expect, test } from 'bun:test'
import { runChecks } from '../../../src/cli/commands/doctor.ts'
import { loadConfig } from '../../../src/config/load.ts'
import { startTelegramFake } from '../../fakes/telegram.ts'
import { runNgb } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/temp.ts'

const env = () => ({ NGB_DATA_DIR: tempDir(), HOME: tempDir() })

describe('the platform table in doctor and config show', () => {
  test('doctor: one check per platform; off is fine, half-configured is a problem with a hint', async () => {
    // A ready platform is asked whether it accepts the credentials: here the Telegram fake.
    const telegram = startTelegramFake({ token: '1:x' })
    const loaded = loadConfig({
      env: {
        ...env(),
        NGB_CONTAINER_CLI: 'no-such-docker-cli',
        SLACK_BOT_TOKEN: 'xoxb-1',
        TELEGRAM_BOT_TOKEN: '1:x',
        TELEGRAM_API_ROOT: telegram.apiRoot,
      },
    })
    const checks = await runChecks(loaded).finally(() => telegram.stop())
    expect(checks.find((c) => c.name === 'telegram')).toMatchObject({
      ok: true,
      detail: expect.stringContaining(`credentials accepted (@${telegram.bot.username})`),
    })
    expect(checks.find((c) => c.name === 'discord')).toMatchObject({
      ok: true,
      detail: expect.stringContaining('off'),
    })
    expect(checks.find((c) => c.name === 'slack')).toMatchObject({
      ok: false,
      hint: expect.stringContaining('SLACK_APP_TOKEN'),
    })
    // A required id (the phone number id) is named alongside the credentials.
    expect(checks.find((c) => c.name === 'whatsapp')).toMatchObject({
      ok: true,
      detail: expect.stringContaining('WHATSAPP_PHONE_NUMBER_ID'),
    })
    // Every platform with an adapter has a row, the Channels II ones included.
    expect(checks.find((c) => c.name === 'feishu')).toMatchObject({
      ok: true,
      detail: expect.stringContaining('off'),
    })
    expect(checks.find((c) => c.name === 'wecom-app')).toMatchObject({
      ok: true,
      detail: expect.stringContaining('WECOM_ENCODING_AES_KEY'),
    })
  })

  test('config show: a platform section from the table; JSON rows name their platform; secrets masked', async () => {
    const secret = '123:never-print-me'
    const text = await runNgb(['config', 'show'], { env: { ...env(), TELEGRAM_BOT_TOKEN: secret } })
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^telegram\s+ready\s+TELEGRAM_BOT_TOKEN/m)
    expect(text.stdout).toMatch(/^slack\s+off\s+SLACK_BOT_TOKEN/m)
    expect(text.stdout).toMatch(/^whatsapp\s+off\s+WHATSAPP_ACCESS_TOKEN/m)
    expect(text.stdout).toMatch(/^feishu\s+off\s+FEISHU_APP_ID/m)
    expect(text.stdout).toMatch(/^wecom\s+off\s+WECOM_BOT_ID/m)
    expect(text.stdout).not.toContain(secret)
    const json = await runNgb(['config', 'show', '--json'], { env: { ...env(), TELEGRAM_BOT_TOKEN: secret } })
    const rows = JSON.parse(json.stdout) as Array<{ env: string; value: string; platform?: string }>
    expect(rows.find((r) => r.env === 'TELEGRAM_BOT_TOKEN')).toMatchObject({
      platform: 'telegram',
      value: '********',
    })
    expect(rows.find((r) => r.env === 'NGB_WEB_PORT')?.platform).toBeUndefined()
  })
})
