import type { OutputFrame } from '../protocol/container.ts'
import type { Run, StoredMessage, Task } from './types.ts'

/** Every step of the pipeline publishes one of these; the WebSocket and the logs subscribe. */
export type NgbEvent =
  | { type: 'message.in'; group?: string; message: StoredMessage }
  | { type: 'message.out'; group?: string; message: StoredMessage }
  | { type: 'run.started'; group: string; run: Run }
  | { type: 'run.activity'; group: string; runId: string; frame: OutputFrame }
  | { type: 'run.output'; group: string; runId: string; text: string }
  | { type: 'run.finished'; group: string; run: Run }
  | { type: 'task.created' | 'task.updated' | 'task.deleted'; group: string; task: Task }
  | { type: 'task.started' | 'task.finished'; group: string; task: Task; runId?: string; status?: string }
  | {
      type: 'channel.status'
      channel: string
      status: 'connecting' | 'connected' | 'disconnected' | 'error'
      detail?: string
    }
  | { type: 'group.changed'; group: string; action: 'created' | 'updated' | 'removed' }
  | { type: 'chat.bound' | 'chat.unbound'; group: string; chatJid: string }
  | { type: 'image.status'; image: string; present?: boolean; building: boolean; buildError?: string }

export type NgbEventType = NgbEvent['type']
/** Distributes over members whose `type` is itself a union (task.created | task.updated | …). */
export type EventOf<T extends NgbEventType> = NgbEvent extends infer E
  ? E extends { type: infer U }
    ? T extends U
      ? E & { type: T }
      : never
    : never
  : never

export interface EventBus {
  publish(event: NgbEvent): void
  /** Subscribe to one type, or to all with '*'. Returns the unsubscribe function. */
  on<T extends NgbEventType>(type: T, fn: (e: EventOf<T>) => void): () => void
  on(type: '*', fn: (e: NgbEvent) => void): () => void
}

/** Synchronous, in-process. A throwing listener is reported and never breaks the publisher. */
export function createEventBus(
  onListenerError: (error: unknown, event: NgbEvent) => void = () => {},
): EventBus {
  const listeners = new Map<string, Set<(e: NgbEvent) => void>>()
  return {
    publish(event) {
      for (const key of [event.type, '*']) {
        for (const fn of listeners.get(key) ?? []) {
          try {
            fn(event)
          } catch (error) {
            onListenerError(error, event)
          }
        }
      }
    },
    on(type: string, fn: (e: never) => void) {
      const set = listeners.get(type) ?? new Set()
      listeners.set(type, set)
      const listener = fn as (e: NgbEvent) => void
      set.add(listener)
      return () => set.delete(listener)
    },
  }
}
