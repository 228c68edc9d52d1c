import type { AttachmentRef, SendFileAction } from '../../src/protocol/attachments.ts'
import type {
  ContainerInput,
  OutputFrame,
  SendMessageAction,
  TaskAction,
} from '../../src/protocol/container.ts'

/** Paths inside the container (see DESIGN §5 mounts). */
export interface AgentPaths {
  group: string
  global: string
  ipc: string
  home: string
}

/** The agent's side of the IPC actions: each call writes one atomic file the host picks up. */
export interface AgentActions {
  sendMessage(action: Omit<SendMessageAction, 'type'>): void
  task(action: TaskAction): void
  sendFile(action: Omit<SendFileAction, 'type'>): void
}

export interface ProviderContext {
  input: ContainerInput
  paths: AgentPaths
  /** Writes one framed JSON object to stdout. */
  emit(frame: OutputFrame): void
  /** Follow-up texts from ipc/input/*.json, in order; ends when `_close` appears. */
  followUps: AsyncIterable<string>
  /** The files that came with a prompt: the first one's, or a follow-up's (by its text). */
  attachmentsOf(prompt: string): AttachmentRef[]
  actions: AgentActions
  /**
   * Calls `listener` each time the host asks to stop the current turn (`input/_interrupt`);
   * returns the unsubscribe function. The session goes on with the next follow-up.
   */
  onInterrupt(listener: () => void): () => void
}

/** A provider runs the whole session (first prompt + follow-ups) and returns the exit code. */
export type Provider = (ctx: ProviderContext) => Promise<number>
