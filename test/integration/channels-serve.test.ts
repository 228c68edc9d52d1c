import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dataPaths } from '../../src/config/paths.ts'
import { openDatabase } from '../../src/db/open.ts'
import type { WhatsAppHarness } from '../channels/whatsapp/harness.ts'
import type { ContractHarness } from '../contract/channel-contract.ts'
import { compiledBinary } from '../helpers/binary.ts'
import { runNgb } from '../helpers/cli.ts'
import {
  attachServe,
  EXPIRING_TOKEN_PLATFORMS,
  PLATFORMS,
  type Platform,
  platformEnv,
  START_HARNESS,
  seedPlatformGroups,
  UNMENTIONED_GROUP_PLATFORMS,
} from '../helpers/platforms.ts'
import type { LiveNgb } from '../helpers/spawn-ngb.ts'
import { spawnNgb } from '../helpers/spawn-ngb.ts'
import { waitFor } from '../helpers/wait.ts'

/**
 * The chat platforms through the real `ngb serve` process: its config picks the SDKs up from the
 * environment, which points them at the local wire fakes. Groups, bindings and bind tokens are
 * prepared in the data dir's database before serve starts, as `ngb groups …` would.
 */
describe('chat platforms through ngb serve', () => {
  const h = {} as Record<Platform, ContractHarness>
  const tokens = {} as Record<Platform, string>
  // Removed after serve exits (tempDir's own hook could run first and pull the dir from under it).
  const dataDir = mkdtempSync(join(tmpdir(), 'ngb-serve-channels-'))
  let serve: LiveNgb

  const replyIn = async (p: Platform, jid: string, inject: () => string, timeoutMs = 10_000) => {
    const before = h[p].sent(jid).length
    inject()
    const sent = await h[p].waitForSent(jid, before + 1, timeoutMs)
    return sent.slice(before).join('\n')
  }

  beforeAll(async () => {
    for (const p of PLATFORMS) h[p] = await START_HARNESS[p]()
    Object.assign(tokens, seedPlatformGroups(dataDir, h))
    serve = spawnNgb(['serve', '--port', '0'], {
      env: {
        NGB_DATA_DIR: dataDir,
        NGB_ADMIN_PASSWORD: 'test-admin-password',
        NGB_AGENT_PROVIDER: 'mock',
        NGB_CONTAINER_IMAGE: 'ngb-agent:test',
        NGB_CONTAINER_NETWORK: 'none',
        ...platformEnv(h),
      },
    })
    // serve prints the dashboard line after the orchestrator connected every channel.
    await waitFor(() => serve.stdout().includes('Dashboard:'), 'ngb serve to start', 30_000)
    attachServe(serve.stdout(), Object.values(h))
  })

  afterAll(async () => {
    serve?.proc.kill('SIGTERM')
    expect(await serve?.exited).toBe(0)
    for (const p of PLATFORMS) await h[p]?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }, 20_000)

  test('the Channels page data shows every platform connected, from its live state', async () => {
    const url = attachServe(serve.stdout(), [])
    const login = await fetch(`${url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=admin&password=test-admin-password',
    })
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    expect(cookie).toContain('ngb_session=')
    const res = await fetch(`${url}/api/channels`, { headers: { cookie } })
    const list = (await res.json()) as Array<{ name: string; status: string; configured: boolean }>
    for (const p of PLATFORMS)
      expect(list.find((c) => c.name === p)).toMatchObject({ status: 'connected', configured: true })
  })

  test('ngb doctor next to the running serve reports every platform connected, from the live state', async () => {
    const r = await runNgb(['doctor', '--json'], {
      env: { NGB_DATA_DIR: dataDir, NGB_ADMIN_PASSWORD: 'test-admin-password', ...platformEnv(h) },
    })
    const checks = JSON.parse(r.stdout) as Array<{ name: string; ok: boolean; detail: string }>
    for (const p of PLATFORMS)
      expect(checks.find((c) => c.name === p)).toMatchObject({
        ok: true,
        detail: 'connected in the running ngb serve',
      })
  })

  test.each(PLATFORMS)(
    '%s: /help and /status answer in an unbound chat, and a bind token binds it',
    async (p) => {
      const jid = h[p].otherDmJid
      expect(await replyIn(p, jid, () => h[p].injectOtherDm('/help'))).toContain('not connected')
      expect(await replyIn(p, jid, () => h[p].injectOtherDm('/status'))).toContain('Group: none')
      expect(await replyIn(p, jid, () => h[p].injectOtherDm(tokens[p]))).toContain('now connected')
      expect(await replyIn(p, jid, () => h[p].injectOtherDm('/status'))).toContain(`Group: ${p}-dm`)
    },
  )

  test('whatsapp: the webhook on serve answers the verify handshake, and a bad signature gets 401 and a log line', async () => {
    const url = attachServe(serve.stdout(), [])
    const wa = h.whatsapp.serveEnv
    const verify = await fetch(
      `${url}/hooks/whatsapp?hub.mode=subscribe&hub.verify_token=${wa.WHATSAPP_VERIFY_TOKEN}&hub.challenge=42`,
    )
    expect(await verify.text()).toBe('42')
    const forged = await fetch(`${url}/hooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'a'.repeat(64)}` },
      body: JSON.stringify({ object: 'whatsapp_business_account', entry: [] }),
    })
    expect(forged.status).toBe(401)
    await waitFor(
      () =>
        serve.stderr().includes('webhook request refused') ||
        serve.stdout().includes('webhook request refused'),
      'the refusal in the log',
      10_000,
    )
  })

  test('whatsapp: a reply after the 24-hour window closed is refused, and the log says why', async () => {
    const wa = h.whatsapp
    if (!('fake' in wa)) throw new Error('the WhatsApp harness exposes its fake')
    const fake = (wa as WhatsAppHarness).fake
    const before = wa.attempts(wa.otherDmJid).length
    wa.injectOtherDm('/help')
    // The user's window closes before the answer is ready (as after a turn of more than 24 h).
    fake.closeWindow(wa.otherDmJid.slice('whatsapp:'.length))
    await waitFor(() => wa.attempts(wa.otherDmJid).length > before, 'the refused send', 10_000)
    await waitFor(() => /131047/.test(serve.stderr() + serve.stdout()), 'the refusal in the log', 10_000)
    expect(serve.stderr() + serve.stdout()).toContain('24 hours')
    expect(
      wa
        .attempts(wa.otherDmJid)
        .slice(before)
        .map((a) => a.ok),
    ).toEqual([false])
  })

  test.each(EXPIRING_TOKEN_PLATFORMS)(
    '%s: an expired access token is renewed and the reply still arrives',
    async (p) => {
      const expire = h[p].expireTokens
      if (!expire) throw new Error(`the ${p} harness cannot expire tokens`)
      expire()
      expect(await replyIn(p, h[p].otherDmJid, () => h[p].injectOtherDm('/status'))).toContain('Group:')
    },
  )

  test.each(UNMENTIONED_GROUP_PLATFORMS)(
    '%s: a group message without a mention starts no run and gets no answer',
    async (p) => {
      const before = h[p].sent(h[p].groupJid).length
      h[p].injectGroup('humans talking among themselves', { mention: false })
      // /status is answered by the same ordered inbound path, so once it is there the quiet message was handled.
      expect(
        await replyIn(p, h[p].groupJid, () => h[p].injectGroup('/status', { mention: false })),
      ).toContain(`Group: ${p}-room`)
      expect(h[p].sent(h[p].groupJid).slice(before)).toHaveLength(1)
      const db = openDatabase(dataPaths(dataDir).db)
      const runs = db.query('SELECT COUNT(*) AS n FROM runs WHERE group_folder = ?').get(`${p}-room`) as {
        n: number
      }
      const stored = db
        .query('SELECT COUNT(*) AS n FROM messages WHERE text = ?')
        .get('humans talking among themselves') as { n: number }
      db.close()
      expect(runs.n).toBe(0)
      expect(stored.n).toBeGreaterThanOrEqual(1)
    },
  )
})

test('the compiled binary loads the platform SDKs lazily and answers on each platform', async () => {
  const harnesses = await Promise.all(PLATFORMS.map((p) => START_HARNESS[p]()))
  const dir = mkdtempSync(join(tmpdir(), 'ngb-bin-channels-'))
  const env: Record<string, string> = { NGB_DATA_DIR: dir, NGB_ADMIN_PASSWORD: 'test-admin-password' }
  for (const harness of harnesses) Object.assign(env, harness.serveEnv)
  const bin = spawnNgb(['serve', '--port', '0'], { env, binary: compiledBinary() })
  try {
    await waitFor(() => bin.stdout().includes('Dashboard:'), 'the binary to start', 30_000)
    attachServe(bin.stdout(), harnesses)
    for (const harness of harnesses) {
      harness.injectOtherDm('/help')
      const [reply] = await harness.waitForSent(harness.otherDmJid, 1, 10_000)
      expect(reply).toContain('not connected')
    }
  } finally {
    bin.proc.kill('SIGTERM')
    expect(await bin.exited).toBe(0)
    for (const harness of harnesses) await harness.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}, 90_000)
