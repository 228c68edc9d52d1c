import { afterAll, expect, test } from 'bun:test'
import { runChecks } from '../../../src/cli/commands/doctor.ts'
import { writeServeFile } from '../../../src/cli/serve-file.ts'
import { loadConfig } from '../../../src/config/load.ts'
import { tempDir } from '../../helpers/temp.ts'

const seen: string[] = []
const api = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch(req) {
    // Feishu's probe (FEISHU_DOMAIN points here) gets a tenant token.
    const path = new URL(req.url).pathname
    if (path === '/open-apis/auth/v3/tenant_access_token/internal')
      return Response.json({ code: 0, tenant_access_token: 't-1', expire: 7200 })
    // Slack's probe (SLACK_API_URL points here): both tokens accepted.
    if (path === '/slack/auth.test') return Response.json({ ok: true, user: 'ngb', team: 'fake' })
    if (path === '/slack/apps.connections.open') return Response.json({ ok: true, url: 'ws://127.0.0.1:1/' })
    seen.push(req.headers.get('authorization') ?? '')
    return Response.json([
      { name: 'feishu', enabled: true, configured: true, status: 'connected' },
      {
        name: 'wecom',
        enabled: true,
        configured: true,
        status: 'error',
        detail: 'bad credentials: errcode 40058',
      },
      {
        name: 'slack',
        enabled: true,
        configured: true,
        status: 'connecting',
        detail: 'reconnecting, attempt 2',
      },
    ])
  },
})
afterAll(() => api.stop(true))

test('with ngb serve running, doctor reports each ready platform’s live state; an error is a problem', async () => {
  const dataDir = tempDir()
  writeServeFile(dataDir, {
    pid: process.pid,
    url: `http://127.0.0.1:${api.port}`,
    version: 'test',
    startedAt: 0,
  })
  const loaded = loadConfig({
    env: {
      NGB_DATA_DIR: dataDir,
      HOME: tempDir(),
      NGB_CONTAINER_CLI: 'no-such-docker-cli',
      FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718',
      FEISHU_APP_SECRET: 'secret-1',
      FEISHU_DOMAIN: `http://127.0.0.1:${api.port}`,
      WECOM_BOT_ID: 'bot-1',
      WECOM_BOT_SECRET: 'secret-2',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
      SLACK_API_URL: `http://127.0.0.1:${api.port}/slack/`,
    },
  })
  const checks = await runChecks(loaded)
  expect(seen.at(-1)).toMatch(/^Bearer \S+/)
  expect(checks.find((c) => c.name === 'feishu')).toMatchObject({
    ok: true,
    detail: 'connected in the running ngb serve',
  })
  expect(checks.find((c) => c.name === 'wecom')).toMatchObject({
    ok: false,
    detail: 'error (bad credentials: errcode 40058) in the running ngb serve',
  })
  expect(checks.find((c) => c.name === 'slack')).toMatchObject({
    ok: true,
    detail: 'connecting (reconnecting, attempt 2) in the running ngb serve',
  })
  // Not configured: the config-only line, whatever the server says.
  expect(checks.find((c) => c.name === 'telegram')?.detail).toContain('off')
})

test('without a running serve, doctor reports the configuration only', async () => {
  const loaded = loadConfig({
    env: {
      NGB_DATA_DIR: tempDir(),
      HOME: tempDir(),
      NGB_CONTAINER_CLI: 'no-such-docker-cli',
      WECOM_BOT_ID: 'b',
      WECOM_BOT_SECRET: 's',
    },
  })
  const checks = await runChecks(loaded)
  expect(checks.find((c) => c.name === 'wecom')?.detail).toContain('starts with ngb serve')
})
