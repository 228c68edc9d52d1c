import type { EventBus, NgbEvent } from '../../src/core/events.ts'

export interface EventRecorder {
  events: NgbEvent[]
  /** Resolves with the first event matching `pred` (already seen or future), or rejects on timeout. */
  waitFor<T extends NgbEvent>(pred: (e: NgbEvent) => e is T, timeoutMs?: number): Promise<T>
  waitFor(pred: (e: NgbEvent) => boolean, timeoutMs?: number): Promise<NgbEvent>
  /** Texts of message.out events, for one group or all. */
  outTexts(group?: string): string[]
}

/** Records every event on the bus, so tests await events instead of sleeping. */
export function recordEvents(
  bus: EventBus,
  opts: { defaultTimeoutMs?: number; describeTimeout?: () => string } = {},
): EventRecorder {
  const events: NgbEvent[] = []
  bus.on('*', (e) => events.push(e))
  const outTexts = (group?: string) =>
    events.flatMap((e) => (e.type === 'message.out' && (!group || e.group === group) ? [e.message.text] : []))
  function waitFor(
    pred: (e: NgbEvent) => boolean,
    timeoutMs = opts.defaultTimeoutMs ?? 5000,
  ): Promise<NgbEvent> {
    const seen = events.find(pred)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off()
        reject(
          new Error(
            `timed out waiting for an event${opts.describeTimeout ? `; ${opts.describeTimeout()}` : ''}`,
          ),
        )
      }, timeoutMs)
      const off = bus.on('*', (e) => {
        if (!pred(e)) return
        clearTimeout(timer)
        off()
        resolve(e)
      })
    })
  }
  return { events, waitFor: waitFor as EventRecorder['waitFor'], outTexts }
}
