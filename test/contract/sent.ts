import { expect } from 'bun:test'
import type { ChatCall, Recorder } from '../fakes/recorder.ts'
import type { ContractHarness } from './channel-contract.ts'

/**
 * A harness's `sent` and `waitForSent`, read from its fake's call recorder: `isSent(jid)` picks the
 * calls that delivered a message to `jid`, `textOf` reads the text the platform shows for one.
 */
export function sentReaders<C>(
  calls: Recorder<C>,
  isSent: (jid: string) => (call: C) => boolean,
  textOf: (call: C) => string,
): Pick<ContractHarness, 'sent' | 'waitForSent'> {
  const sent = (jid: string) => calls.calls.filter(isSent(jid)).map(textOf)
  return {
    sent,
    waitForSent: async (jid, count, timeoutMs) => {
      await calls.waitForCount(isSent(jid), count, timeoutMs)
      return sent(jid)
    },
  }
}

/**
 * `sent`, `waitForSent` and `attempts` for a fake that records each send with its chat and text
 * (ChatCall): every non-empty send to the chat is an attempt; the accepted ones were sent.
 */
export function chatCallReaders(
  calls: Recorder<ChatCall>,
): Pick<ContractHarness, 'sent' | 'waitForSent' | 'attempts'> {
  const isSend = (jid: string) => (c: ChatCall) => c.jid === jid && c.text !== ''
  return {
    ...sentReaders(
      calls,
      (jid) => (c) => isSend(jid)(c) && c.ok,
      (c) => c.text,
    ),
    attempts: (jid) => calls.calls.filter(isSend(jid)).map((c) => ({ text: c.text, ok: c.ok, at: c.at })),
  }
}

/**
 * After a forced rate limit (retry after 1 s): the refused text was sent again, the same, at least
 * ~1 s later, and accepted. `attempts` are the attempts in the chat since the limit was set.
 */
export function expectSameTextRetried(attempts: { text: string; ok: boolean; at: number }[]): void {
  expect(attempts.map((a) => a.ok)).toEqual([false, true])
  expect(attempts[1]?.text).toBe(attempts[0]?.text ?? '')
  expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(950)
}

/**
 * Message round trips through a harness, timed: the serve-level tests print these figures (inject →
 * reply at the fake, in ms, by `key`) as JSON at the end.
 */
export function timedExchanges() {
  const figures: Record<string, number[]> = {}
  return {
    figures,
    /** Injects, waits for the next `count` message(s) in `jid` at the fake; returns them and records the time. */
    async exchange(h: ContractHarness, key: string, jid: string, inject: () => unknown, count = 1) {
      const before = h.sent(jid).length
      const startedAt = performance.now()
      inject()
      const sent = await h.waitForSent(jid, before + count, 30_000)
      figures[key] = [...(figures[key] ?? []), Math.round(performance.now() - startedAt)]
      return sent.slice(before)
    },
  }
}
