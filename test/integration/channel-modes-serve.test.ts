import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dataPaths } from '../../src/config/paths.ts'
import { createEventBus } from '../../src/core/events.ts'
import { createGroupsService } from '../../src/core/groups.ts'
import { openDatabase } from '../../src/db/open.ts'
import { createRepos } from '../../src/db/repos/index.ts'
import { buildTestImage } from '../../src/image/test-image.ts'
import { systemClock } from '../../src/util/clock.ts'
import { startFeishuWebhookHarness } from '../channels/feishu/harness.ts'
import { startWecomAppHarness } from '../channels/wecom-app/harness.ts'
import type { ContractHarness } from '../contract/channel-contract.ts'
import { agentSandbox } from '../helpers/agent-image.ts'
import { compiledBinary } from '../helpers/binary.ts'
import { dockerTest, HAS_DOCKER } from '../helpers/docker.ts'
import { attachServe } from '../helpers/platforms.ts'
import type { LiveNgb } from '../helpers/spawn-ngb.ts'
import { spawnNgb } from '../helpers/spawn-ngb.ts'
import { waitFor } from '../helpers/wait.ts'

/**
 * The alternative transports through `ngb serve` with real containers of the mock agent: Feishu in
 * webhook mode and WeCom's app callback mode. Their fakes encrypt, sign and POST events to serve's
 * /hooks/<platform>. They cannot share a serve with the long-connection modes the other
 * serve-level tests run (one channel per platform), so they get their own.
 */
const IMAGE = process.env.NGB_TEST_IMAGE ?? 'ngb-agent:test'
const box = agentSandbox({ NGB_CONTAINER_IMAGE: IMAGE })
beforeAll(async () => {
  if (HAS_DOCKER) await buildTestImage({ cli: 'docker', tag: IMAGE })
}, 120_000)
afterAll(() => box.cleanup())

type Mode = 'feishu webhook' | 'wecom app'
const forgedMessage = 'forged'

/** Each mode's harness, and a correctly encrypted event signed with the wrong key. */
const MODES: Record<
  Mode,
  { start: () => Promise<ContractHarness>; forge: (h: ContractHarness) => Promise<number> }
> = {
  'feishu webhook': {
    start: startFeishuWebhookHarness,
    async forge(h) {
      const { fake } = h as Awaited<ReturnType<typeof startFeishuWebhookHarness>>
      const res = await fake.postEvent(
        {
          schema: '2.0',
          header: {
            event_id: 'ev_forged',
            event_type: 'im.message.receive_v1',
            token: fake.verificationToken,
          },
          event: {
            sender: { sender_id: { open_id: 'ou_mallory' }, sender_type: 'user' },
            message: {
              message_id: 'om_forged',
              chat_id: 'oc_dm00000000000000000000001',
              chat_type: 'p2p',
              message_type: 'text',
              content: JSON.stringify({ text: forgedMessage }),
            },
          },
        },
        { signWith: 'not-the-key' },
      )
      return res.status
    },
  },
  'wecom app': {
    start: startWecomAppHarness,
    forge: (h) =>
      (h as Awaited<ReturnType<typeof startWecomAppHarness>>).fake.postCallback(
        `<xml><FromUserName><![CDATA[zhangsan]]></FromUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${forgedMessage}]]></Content><MsgId>9</MsgId></xml>`,
        { signWith: 'not-the-token' },
      ),
  },
}
const MODE_NAMES = Object.keys(MODES) as Mode[]

describe('alternative transports through ngb serve', () => {
  const h = {} as Record<Mode, ContractHarness>
  let serve: LiveNgb | undefined
  const figures: Record<string, number[]> = {}

  async function exchange(mode: Mode, figure: string, inject: () => string) {
    const jid = h[mode].dmJid
    const before = h[mode].sent(jid).length
    const startedAt = performance.now()
    inject()
    const sent = await h[mode].waitForSent(jid, before + 1, 30_000)
    const key = `${mode} ${figure}`
    figures[key] = [...(figures[key] ?? []), Math.round(performance.now() - startedAt)]
    return sent.slice(before).join('\n')
  }

  beforeAll(async () => {
    if (!HAS_DOCKER) return
    for (const m of MODE_NAMES) h[m] = await MODES[m].start()
    const paths = dataPaths(box.dataDir)
    const db = openDatabase(paths.db)
    const groups = createGroupsService({
      repos: createRepos(db),
      bus: createEventBus(),
      clock: systemClock,
      groupsDir: paths.groups,
    })
    groups.createGroup({ folder: 'admin' })
    for (const m of MODE_NAMES) {
      const folder = m.replace(' ', '-')
      groups.createGroup({ folder, triggerMode: 'always' })
      groups.bind(h[m].dmJid, folder)
    }
    db.close()
    serve = spawnNgb(['serve', '--port', '0'], {
      env: {
        ...box.env,
        NGB_ADMIN_PASSWORD: 'test-admin-password',
        ...Object.assign({}, ...MODE_NAMES.map((m) => h[m].serveEnv)),
      },
    })
    await waitFor(() => serve?.stdout().includes('Dashboard:'), 'ngb serve to start', 30_000)
    attachServe(serve?.stdout() ?? '', Object.values(h))
  }, 60_000)

  afterAll(async () => {
    if (!serve) return
    serve.proc.kill('SIGTERM')
    expect(await serve.exited).toBe(0)
    for (const m of MODE_NAMES) await h[m]?.stop()
    process.stdout.write(`${JSON.stringify({ channelModesE2eMs: figures })}\n`)
  }, 30_000)

  for (const m of MODE_NAMES) {
    dockerTest(
      `${m}: a direct message is answered, also after the platform retried a refused delivery`,
      async () => {
        expect(await exchange(m, 'dm first reply', () => h[m].injectDm('hello'))).toContain('mock: hello')
        await h[m].dropConnection()
        expect(await exchange(m, 'reply after a refused delivery', () => h[m].injectDm('retried'))).toContain(
          'mock: retried',
        )
      },
      60_000,
    )

    dockerTest(
      `${m}: a forged signature gets 401 and a line in the log, and no answer`,
      async () => {
        const logged = () => `${serve?.stdout()}${serve?.stderr()}`.split('webhook request refused').length
        const before = logged()
        expect(await MODES[m].forge(h[m])).toBe(401)
        await waitFor(() => logged() > before, 'the refusal in the log', 10_000)
        await exchange(m, 'dm follow-up reply', () => h[m].injectDm('marker'))
        expect(h[m].sent(h[m].dmJid).some((t) => t.includes(forgedMessage))).toBe(false)
      },
      60_000,
    )

    dockerTest(
      `${m}: a forced rate limit delays and retries the same reply; an expired token is refreshed`,
      async () => {
        const jid = h[m].dmJid
        const before = h[m].attempts(jid).length
        h[m].failNextSend({ kind: 'rate_limit', retryAfterSeconds: 1 })
        await exchange(m, 'reply through a rate limit', () => h[m].injectDm('limited'))
        const attempts = h[m].attempts(jid).slice(before)
        expect(attempts.map((a) => a.ok)).toEqual([false, true])
        expect(attempts[1]?.text).toBe(attempts[0]?.text ?? '')
        expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(950)
        h[m].expireTokens?.()
        expect(
          await exchange(m, 'reply through a token refresh', () => h[m].injectDm('after expiry')),
        ).toContain('mock: after expiry')
        expect(h[m].sent(jid).filter((t) => t.includes('mock: after expiry'))).toHaveLength(1)
      },
      60_000,
    )

    dockerTest(
      `${m}: a redelivered event is answered once`,
      async () => {
        const jid = h[m].dmJid
        const before = h[m].sent(jid).length
        const id = h[m].injectDm('only once')
        await h[m].waitForSent(jid, before + 1, 30_000)
        await h[m].redeliver(id)
        expect(await exchange(m, 'dm follow-up reply', () => h[m].injectDm('marker two'))).toContain(
          'mock: marker two',
        )
        expect(h[m].sent(jid).filter((t) => t.includes('mock: only once'))).toHaveLength(1)
      },
      60_000,
    )
  }

  dockerTest(
    'the URL checks both platforms make when the callback is saved are answered',
    async () => {
      const feishu = (h['feishu webhook'] as Awaited<ReturnType<typeof startFeishuWebhookHarness>>).fake
      const challenge = await feishu.postEvent(
        { type: 'url_verification', challenge: 'ch-9', token: feishu.verificationToken },
        { unsigned: true },
      )
      expect(await challenge.json()).toEqual({ challenge: 'ch-9' })
      const wecom = (h['wecom app'] as Awaited<ReturnType<typeof startWecomAppHarness>>).fake
      expect(await wecom.verifyUrl('echo-777')).toEqual({ status: 200, body: 'echo-777' })
    },
    60_000,
  )
})

test('the compiled binary loads the webhook-mode code lazily and answers on both platforms', async () => {
  const harnesses = await Promise.all(MODE_NAMES.map((m) => MODES[m].start()))
  const dir = mkdtempSync(join(tmpdir(), 'ngb-bin-modes-'))
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
