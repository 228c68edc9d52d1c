import { afterAll, beforeAll, describe, expect } from 'bun:test'
import { dataPaths } from '../../src/config/paths.ts'
import { buildTestImage } from '../../src/core/container/test-image.ts'
import { createEventBus } from '../../src/core/events.ts'
import { createGroupsService } from '../../src/core/groups.ts'
import { openDatabase } from '../../src/db/open.ts'
import { createRepos } from '../../src/db/repos/index.ts'
import { systemClock } from '../../src/util/clock.ts'
import { startWecomAppHarness, type WecomAppHarness } from '../channels/wecom/app-harness.ts'
import { agentSandbox } from '../helpers/agent-image.ts'
import { dockerTest, HAS_DOCKER } from '../helpers/docker.ts'
import { attachServe } from '../helpers/platforms.ts'
import type { LiveNgb } from '../helpers/spawn-ngb.ts'
import { spawnNgb } from '../helpers/spawn-ngb.ts'
import { waitFor } from '../helpers/wait.ts'

/**
 * WeCom's app callback mode through `ngb serve` with real containers of the mock agent: the fake
 * encrypts, signs and POSTs callbacks to serve's /hooks/wecom (the AI-bot mode, which the other
 * serve-level tests run, and this one cannot share a serve: one WeCom channel per install).
 */
const IMAGE = process.env.NGB_TEST_IMAGE ?? 'ngb-agent:test'
const box = agentSandbox({ NGB_CONTAINER_IMAGE: IMAGE })
beforeAll(async () => {
  if (HAS_DOCKER) await buildTestImage({ cli: 'docker', tag: IMAGE })
}, 120_000)
afterAll(() => box.cleanup())

describe('WeCom app callback mode through ngb serve', () => {
  let h: WecomAppHarness
  let serve: LiveNgb | undefined
  const figures: Record<string, number[]> = {}

  async function exchange(figure: string, inject: () => string) {
    const before = h.sent(h.dmJid).length
    const startedAt = performance.now()
    inject()
    const sent = await h.waitForSent(h.dmJid, before + 1, 30_000)
    figures[figure] = [...(figures[figure] ?? []), Math.round(performance.now() - startedAt)]
    return sent.slice(before).join('\n')
  }

  beforeAll(async () => {
    if (!HAS_DOCKER) return
    h = await startWecomAppHarness()
    const paths = dataPaths(box.dataDir)
    const db = openDatabase(paths.db)
    const groups = createGroupsService({
      repos: createRepos(db),
      bus: createEventBus(),
      clock: systemClock,
      groupsDir: paths.groups,
    })
    groups.createGroup({ folder: 'admin' })
    groups.createGroup({ folder: 'wecom-dm', triggerMode: 'always' })
    groups.bind(h.dmJid, 'wecom-dm')
    db.close()
    serve = spawnNgb(['serve', '--port', '0'], {
      env: { ...box.env, NGB_ADMIN_PASSWORD: 'test-admin-password', ...h.serveEnv },
    })
    await waitFor(() => serve?.stdout().includes('Dashboard:'), 'ngb serve to start', 30_000)
    attachServe(serve?.stdout() ?? '', [h])
  }, 60_000)

  afterAll(async () => {
    if (!serve) return
    serve.proc.kill('SIGTERM')
    expect(await serve.exited).toBe(0)
    await h.stop()
    process.stdout.write(`${JSON.stringify({ wecomAppE2eMs: figures })}\n`)
  }, 30_000)

  dockerTest(
    'a direct message is answered in the same chat, also after WeCom retried a refused delivery',
    async () => {
      expect(await exchange('dm first reply', () => h.injectDm('hello wecom'))).toContain('mock: hello wecom')
      h.fake.failNextDelivery()
      expect(await exchange('reply after a refused delivery', () => h.injectDm('retried'))).toContain(
        'mock: retried',
      )
    },
    60_000,
  )

  dockerTest(
    'the URL check echoes; a forged signature gets 401 and a line in the log',
    async () => {
      expect(await h.fake.verifyUrl('echo-777')).toEqual({ status: 200, body: 'echo-777' })
      const forged =
        '<xml><FromUserName><![CDATA[mallory]]></FromUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[x]]></Content><MsgId>9</MsgId></xml>'
      expect(await h.fake.postCallback(forged, { signWith: 'not-the-token' })).toBe(401)
      await waitFor(
        () => `${serve?.stdout()}${serve?.stderr()}`.includes('webhook request refused'),
        'the refusal in the log',
        10_000,
      )
    },
    60_000,
  )

  dockerTest(
    'a forced rate limit delays and retries the same reply; an expired token is refreshed',
    async () => {
      const before = h.attempts(h.dmJid).length
      h.failNextSend({ kind: 'rate_limit', retryAfterSeconds: 1 })
      await exchange('reply through a 45009', () => h.injectDm('limited'))
      const attempts = h.attempts(h.dmJid).slice(before)
      expect(attempts.map((a) => a.ok)).toEqual([false, true])
      expect(attempts[1]?.text).toBe(attempts[0]?.text ?? '')
      expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(950)
      h.expireTokens?.()
      expect(await exchange('reply through a token refresh', () => h.injectDm('after expiry'))).toContain(
        'mock: after expiry',
      )
      expect(h.sent(h.dmJid).filter((t) => t.includes('mock: after expiry'))).toHaveLength(1)
    },
    60_000,
  )

  dockerTest(
    'a redelivered callback is answered once',
    async () => {
      const before = h.sent(h.dmJid).length
      const id = h.injectDm('only once')
      await h.waitForSent(h.dmJid, before + 1, 30_000)
      h.redeliver(id)
      expect(await exchange('dm follow-up reply', () => h.injectDm('marker'))).toContain('mock: marker')
      expect(h.sent(h.dmJid).filter((t) => t.includes('mock: only once'))).toHaveLength(1)
    },
    60_000,
  )
})
