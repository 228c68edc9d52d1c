import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chunkText } from '../../src/core/outbound/chunk.ts'
import type { ContractHarness } from '../contract/channel-contract.ts'
import { expectSplitCorrectly, longReply } from '../contract/long-reply.ts'
import { expectSameTextRetried, timedExchanges } from '../contract/sent.ts'
import { dockerTest, HAS_DOCKER } from '../helpers/docker.ts'
import { mockAgentBox, startHarnessServe, stopHarnessServe } from '../helpers/harness-serve.ts'
import {
  EXPIRING_TOKEN_PLATFORMS,
  PLATFORMS,
  type Platform,
  START_HARNESS,
  seedPlatformGroups,
} from '../helpers/platforms.ts'
import type { LiveNgb } from '../helpers/spawn-ngb.ts'

/**
 * Done-when of the channels issue, end to end: `ngb serve` with Telegram, Discord and Slack pointed
 * at their wire fakes, real containers of ngb-agent:test running the mock agent (it answers
 * `mock: <last message>`). Figures (inject → reply at the fake) are printed as JSON at the end.
 */
const box = mockAgentBox()

describe('chat platforms through ngb serve with the mock agent in real containers', () => {
  const h = {} as Record<Platform, ContractHarness>
  const timed = timedExchanges()
  let serve: LiveNgb | undefined

  /** Injects, waits for the next message(s) in `jid` at the fake; returns them and records the latency. */
  const exchange = (p: Platform, figure: string, jid: string, inject: () => string, count = 1) =>
    timed.exchange(h[p], `${p} ${figure}`, jid, inject, count)

  beforeAll(async () => {
    if (!HAS_DOCKER) return
    for (const p of PLATFORMS) h[p] = await START_HARNESS[p]()
    seedPlatformGroups(box.dataDir, h)
    serve = await startHarnessServe(box, Object.values(h))
  }, 60_000)

  afterAll(async () => {
    if (serve) await stopHarnessServe(serve, Object.values(h), { channelsE2eMs: timed.figures })
  }, 30_000)

  for (const p of PLATFORMS) {
    dockerTest(
      `${p}: a direct message gets the agent's reply in the same chat, with typing while it works`,
      async () => {
        const [reply] = await exchange(p, 'dm first reply', h[p].dmJid, () =>
          h[p].injectDm(`hello from ${p}`),
        )
        expect(reply).toContain(`mock: hello from ${p}`)
        if (h[p].waitForTyping) await h[p].waitForTyping?.(h[p].dmJid)
        const [again] = await exchange(p, 'dm follow-up reply', h[p].dmJid, () => h[p].injectDm('and again'))
        expect(again).toContain('mock: and again')
      },
      60_000,
    )

    dockerTest(
      `${p}: mentions in the group and in a thread are answered where they were asked`,
      async () => {
        const [inGroup] = await exchange(p, 'group mention reply', h[p].groupJid, () =>
          h[p].injectGroup('status please', { mention: true }),
        )
        expect(inGroup).toContain('mock: @Andy status please')
        const [inThread] = await exchange(p, 'thread mention reply', h[p].threadJid, () =>
          h[p].injectThreadMention('in the thread'),
        )
        expect(inThread).toContain('in the thread')
      },
      60_000,
    )

    dockerTest(
      `${p}: a 10,000-character reply with a code block arrives split correctly`,
      async () => {
        const md = longReply().markdown
        const count = chunkText(
          h[p].channel.formatMarkdown?.(`mock: ${md}`) ?? `mock: ${md}`,
          h[p].channel.maxMessageLength,
        ).length
        const chunks = await exchange(p, '10k reply (all chunks)', h[p].dmJid, () => h[p].injectDm(md), count)
        expect(chunks[0]).toContain('mock: ')
        expectSplitCorrectly(h[p], chunks)
      },
      60_000,
    )

    dockerTest(
      `${p}: a forced 429 delays and retries the same message`,
      async () => {
        const before = h[p].attempts(h[p].dmJid).length
        h[p].failNextSend({ kind: 'rate_limit', retryAfterSeconds: 1 })
        await exchange(p, 'reply through a 429', h[p].dmJid, () => h[p].injectDm('limited'))
        expectSameTextRetried(h[p].attempts(h[p].dmJid).slice(before))
      },
      60_000,
    )

    const expiring = EXPIRING_TOKEN_PLATFORMS.includes(p)
    ;(expiring ? dockerTest : test.skip)(
      `${p}: an expired access token is refreshed and the reply still arrives, once${expiring ? '' : ' (skipped: no expiring token on this platform)'}`,
      async () => {
        h[p].expireTokens?.()
        const [reply] = await exchange(p, 'reply through a token refresh', h[p].dmJid, () =>
          h[p].injectDm('after expiry'),
        )
        expect(reply).toContain('mock: after expiry')
        expect(h[p].sent(h[p].dmJid).filter((t) => t.includes('mock: after expiry'))).toHaveLength(1)
      },
      60_000,
    )

    dockerTest(
      `${p}: after a dropped connection the next message is answered; a redelivery is not`,
      async () => {
        await h[p].dropConnection()
        const [reply] = await exchange(
          p,
          'reply after a drop',
          h[p].dmJid,
          () => h[p].injectDm('still there?'),
          1,
        )
        expect(reply).toContain('mock: still there?')
        const before = h[p].sent(h[p].dmJid).length
        const id = h[p].injectDm('only once')
        await h[p].waitForSent(h[p].dmJid, before + 1, 30_000)
        await h[p].redeliver(id)
        await exchange(p, 'dm follow-up reply', h[p].dmJid, () => h[p].injectDm('marker'))
        expect(h[p].sent(h[p].dmJid).filter((t) => t.includes('mock: only once'))).toHaveLength(1)
      },
      60_000,
    )
  }
})
