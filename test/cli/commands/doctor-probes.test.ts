import { afterAll, expect, test } from 'bun:test'
import { runChecks } from '../../../src/cli/commands/doctor.ts'
import { loadConfig } from '../../../src/config/load.ts'
import { startDingTalkFake } from '../../fakes/dingtalk.ts'
import { startQqFake } from '../../fakes/qq.ts'
import { startWhatsAppFake } from '../../fakes/whatsapp.ts'
import { tempDir } from '../../helpers/temp.ts'

const wa = startWhatsAppFake()
const ding = startDingTalkFake()
const qq = startQqFake()
afterAll(async () => {
  await Promise.all([wa.stop(), ding.stop(), qq.stop()])
})

const doctor = async (over: Record<string, string> = {}) => {
  const loaded = loadConfig({
    env: {
      NGB_DATA_DIR: tempDir(),
      HOME: tempDir(),
      NGB_CONTAINER_CLI: 'no-such-docker-cli',
      WHATSAPP_ACCESS_TOKEN: wa.accessToken,
      WHATSAPP_PHONE_NUMBER_ID: wa.phoneNumberId,
      WHATSAPP_VERIFY_TOKEN: wa.verifyToken,
      WHATSAPP_APP_SECRET: wa.appSecret,
      WHATSAPP_API_BASE: wa.apiBase,
      DINGTALK_CLIENT_ID: ding.clientId,
      DINGTALK_CLIENT_SECRET: ding.clientSecret,
      DINGTALK_API_BASE: ding.apiBase,
      QQ_APP_ID: qq.appId,
      QQ_APP_SECRET: qq.appSecret,
      QQ_API_BASE: qq.apiBase,
      QQ_TOKEN_URL: qq.tokenUrl,
      ...over,
    },
  })
  const checks = await runChecks(loaded)
  return (name: string) => checks.find((c) => c.name === name)
}

test('doctor asks each configured platform whether it accepts the credentials', async () => {
  const check = await doctor()
  expect(check('whatsapp')).toMatchObject({ ok: true, detail: expect.stringContaining('+15550001111') })
  expect(check('dingtalk')).toMatchObject({
    ok: true,
    detail: expect.stringContaining('credentials accepted'),
  })
  expect(check('qq')).toMatchObject({ ok: true, detail: expect.stringContaining('credentials accepted') })
})

test('refused credentials are "bad credentials" with a hint naming the settings', async () => {
  const check = await doctor({
    WHATSAPP_ACCESS_TOKEN: 'expired',
    DINGTALK_CLIENT_SECRET: 'wrong',
    QQ_APP_SECRET: 'wrong',
  })
  expect(check('whatsapp')).toMatchObject({
    ok: false,
    detail: expect.stringContaining('bad credentials'),
    hint: expect.stringContaining('WHATSAPP_ACCESS_TOKEN'),
  })
  expect(check('dingtalk')).toMatchObject({
    ok: false,
    hint: expect.stringContaining('DINGTALK_CLIENT_SECRET'),
  })
  expect(check('qq')).toMatchObject({ ok: false, hint: expect.stringContaining('QQ_APP_SECRET') })
})

test('an unreachable platform is a failed check that points at the network, not at the credentials', async () => {
  const check = await doctor({ QQ_TOKEN_URL: 'http://127.0.0.1:9/app/getAppAccessToken' })
  expect(check('qq')).toMatchObject({ ok: false, hint: expect.stringContaining('network') })
})
