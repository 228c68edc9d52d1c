/**
 * The container protocol, shared by the host and the agent-runner inside the image.
 * Imports valibot only, so container/agent-runner can bundle it.
 */
import * as v from 'valibot'
import { AttachmentRefSchema } from './attachments.ts'

export const OUTPUT_START = '---NGB_OUTPUT_START---'
export const OUTPUT_END = '---NGB_OUTPUT_END---'

export const FOLDER_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/

/** Credentials travel only in the stdin JSON: never argv, env flags, logs or the database. */
export const SecretsSchema = v.object({
  ANTHROPIC_API_KEY: v.optional(v.string()),
  CLAUDE_CODE_OAUTH_TOKEN: v.optional(v.string()),
})

/** Non-secret agent settings (base URL for a local Messages API fake, model override). */
export const AgentEnvSchema = v.object({
  ANTHROPIC_BASE_URL: v.optional(v.string()),
  ANTHROPIC_MODEL: v.optional(v.string()),
})

/** Names a user may pass to the agent with `ngb run --env`; ours and the credentials' are reserved. */
export const USER_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/
export const RESERVED_ENV = /^(PATH|HOME|SHELL|USER|ANTHROPIC_.*|CLAUDE_.*|NGB_.*|DISABLE_.*)$/

export const ContainerInputSchema = v.object({
  prompt: v.string(),
  sessionId: v.optional(v.string()),
  group: v.pipe(v.string(), v.regex(FOLDER_PATTERN)),
  chatJid: v.string(),
  isMain: v.boolean(),
  isScheduledTask: v.optional(v.boolean()),
  assistantName: v.string(),
  provider: v.picklist(['claude', 'mock']),
  secrets: SecretsSchema,
  env: v.optional(AgentEnvSchema),
  /** Variables for the agent's tools (`ngb run --env`); like secrets, they travel only on stdin. */
  userEnv: v.optional(v.record(v.pipe(v.string(), v.regex(USER_ENV_NAME)), v.string())),
  /**
   * What earlier runs of the resumed session already recorded: the provider reports running totals
   * that include them, and subtracts this to report the new turns only.
   */
  usageBaseline: v.optional(
    v.object({
      inputTokens: v.number(),
      outputTokens: v.number(),
      cacheWriteTokens: v.number(),
      cacheReadTokens: v.number(),
      costUsd: v.number(),
      apiMs: v.number(),
    }),
  ),
  /** Files the users sent with the prompt's messages (docs/attachments.md). */
  attachments: v.optional(v.array(AttachmentRefSchema)),
})
export type ContainerInput = v.InferOutput<typeof ContainerInputSchema>

const count = () => v.pipe(v.number(), v.integer(), v.minValue(0))

/**
 * What one agent turn cost, as the provider reports it (the Claude Agent SDK's result message:
 * `usage`, `modelUsage`, `total_cost_usd`, `num_turns`, `duration_api_ms`). Figures are for that
 * turn only; the host sums the turns of a run.
 */
export const UsageSchema = v.object({
  inputTokens: count(),
  outputTokens: count(),
  cacheWriteTokens: count(),
  cacheReadTokens: count(),
  costUsd: v.pipe(v.number(), v.minValue(0)),
  /** The model that did most of the work (highest cost), when the provider names one. */
  model: v.optional(v.string()),
  /** API round trips (the SDK's num_turns). */
  apiCalls: count(),
  apiMs: count(),
})
export type Usage = v.InferOutput<typeof UsageSchema>

export const ResultFrameSchema = v.object({
  type: v.literal('result'),
  text: v.string(),
  usage: v.optional(UsageSchema),
})
export const SessionFrameSchema = v.object({
  type: v.literal('session'),
  sessionId: v.string(),
  resumed: v.optional(v.boolean()),
})
export const ActivityFrameSchema = v.object({
  type: v.literal('activity'),
  /** e.g. tool_use, tool_result, thinking, compact */
  kind: v.string(),
  summary: v.string(),
  /** A turn that ended without an answer still reports what it cost. */
  usage: v.optional(UsageSchema),
})
export const ErrorKindSchema = v.picklist([
  'auth',
  'rate_limit',
  'session_invalid',
  'agent',
  'input',
  'internal',
])
export const ErrorFrameSchema = v.object({
  type: v.literal('error'),
  kind: ErrorKindSchema,
  message: v.string(),
  /** A failed turn may still have spent tokens. */
  usage: v.optional(UsageSchema),
})

export const OutputFrameSchema = v.variant('type', [
  ResultFrameSchema,
  SessionFrameSchema,
  ActivityFrameSchema,
  ErrorFrameSchema,
])
export type OutputFrame = v.InferOutput<typeof OutputFrameSchema>
export type ErrorKind = v.InferOutput<typeof ErrorKindSchema>

/** ipc/<folder>/input/<ms>-<rand>.json — a follow-up into the live session. `input/_close` ends it. */
export const FollowUpFileSchema = v.object({
  type: v.literal('message'),
  text: v.string(),
  attachments: v.optional(v.array(AttachmentRefSchema)),
})
export type FollowUpFile = v.InferOutput<typeof FollowUpFileSchema>
export const CLOSE_SENTINEL = '_close'
/** `input/_interrupt` stops the current turn; the session and the container stay for the next message. */
export const INTERRUPT_SENTINEL = '_interrupt'

/** ipc/<folder>/messages/*.json — the agent asks the host to send a chat message. */
export const SendMessageActionSchema = v.object({
  type: v.literal('message'),
  chatJid: v.string(),
  text: v.pipe(v.string(), v.minLength(1)),
})

const scheduleTypes = v.picklist(['cron', 'interval', 'once'])
const contextModes = v.picklist(['group', 'isolated'])

/** ipc/<folder>/tasks/*.json — task and group operations. Identity is the directory, never a field. */
export const TaskActionSchema = v.variant('type', [
  v.object({
    type: v.literal('schedule_task'),
    prompt: v.pipe(v.string(), v.minLength(1)),
    scheduleType: scheduleTypes,
    scheduleValue: v.string(),
    contextMode: v.optional(contextModes),
    targetJid: v.optional(v.string()),
  }),
  v.object({ type: v.literal('pause_task'), taskId: v.string() }),
  v.object({ type: v.literal('resume_task'), taskId: v.string() }),
  v.object({ type: v.literal('cancel_task'), taskId: v.string() }),
  v.object({
    type: v.literal('register_group'),
    jid: v.string(),
    name: v.string(),
    folder: v.pipe(v.string(), v.regex(FOLDER_PATTERN)),
    trigger: v.optional(v.picklist(['always', 'mention', 'pattern'])),
    triggerPattern: v.optional(v.string()),
  }),
])
export type SendMessageAction = v.InferOutput<typeof SendMessageActionSchema>
export type TaskAction = v.InferOutput<typeof TaskActionSchema>

/** Directory names under ipc/<folder>/. */
export const IPC_DIRS = { input: 'input', messages: 'messages', tasks: 'tasks' } as const
/** Snapshots the host writes for the agent before each run (read-only for the agent). */
export const SNAPSHOT_FILES = { tasks: 'current_tasks.json', groups: 'available_groups.json' } as const

/** Frames are printed on stdout between markers so stray output (warnings, tool noise) is ignored. */
export function formatFrame(frame: OutputFrame): string {
  return `${OUTPUT_START}\n${JSON.stringify(frame)}\n${OUTPUT_END}\n`
}
