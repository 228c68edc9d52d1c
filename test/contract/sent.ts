import type { Recorder } from '../fakes/recorder.ts'
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
