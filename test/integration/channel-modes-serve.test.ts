import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startFeishuWebhookHarness } from '../channels/feishu/harness.ts'
import { startWecomAppHarness } from '../channels/wecom-app/harness.ts'
import { expectBinaryServeAnswers } from '../contract/binary-serve.ts'
import type { ContractHarness } from '../contract/channel-contract.ts'
import { expectSameTextRetried, timedExchanges } from '../contract/sent.ts'
import { dockerTest, HAS_DOCKER } from '../helpers/docker.ts'
import { mockAgentBox, startHarnessServe, stopHarnessServe } from '../helpers/harness-serve.ts'
import { seedGroups } from '../helpers/seed-groups.ts'
import type { LiveNgb } from '../helpers/spawn-ngb.ts'
import { waitFor } from '../helpers/wait.ts'

/**
 * The alternative transports through `ngb serve` with real containers of the mock agent: Feishu in
 * webhook mode and WeCom's app callback mode. Their fakes encrypt, sign and POST events to serve's
 * /hooks/<platform>. They cannot share a serve with the long-connection modes the other
 * serve-level tests run (one channel per platform), so they get their own.
 */
const box = mockAgentBox()

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
  const timed = timedExchanges()

  /** Injects, waits for the next message in the mode's DM; returns it and records the latency. */
  const exchange = async (mode: Mode, figure: string, inject: () => string) =>
    (await timed.exchange(h[mode], `${mode} ${figure}`, h[mode].dmJid, inject)).join('\n')

  beforeAll(async () => {
    if (!HAS_DOCKER) return
    for (const m of MODE_NAMES) h[m] = await MODES[m].start()
    seedGroups(box.dataDir, (groups) => {
      groups.createGroup({ folder: 'admin' })
      for (const m of MODE_NAMES) {
        const folder = m.replace(' ', '-')
        groups.createGroup({ folder, triggerMode: 'always' })
        groups.bind(h[m].dmJid, folder)
      }
    })
    serve = await startHarnessServe(box, Object.values(h))
  }, 60_000)

  afterAll(async () => {
    if (serve) await stopHarnessServe(serve, Object.values(h), { channelModesE2eMs: timed.figures })
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
        expectSameTextRetried(h[m].attempts(jid).slice(before))
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
  await expectBinaryServeAnswers(harnesses, 'ngb-bin-modes-')
}, 90_000)
