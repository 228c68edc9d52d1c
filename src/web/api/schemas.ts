import * as v from 'valibot'

/** Request schemas of the JSON API; query values arrive as strings. */
export const Folder = v.pipe(
  v.string(),
  v.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'folder: 1-64 of a-z, 0-9 and -, starting with a letter or digit'),
)
/**
 * Admin fields are only bounded here; their rules (folder syntax, reserved names, JID syntax,
 * schedules, prompt limits) live in core/groups.ts and core/tasks.ts, so the API, the dashboard and
 * the CLI's local path answer with the same code and message.
 */
const Bounded = (max: number) => v.pipe(v.string(), v.maxLength(max))
/** A reference to a group: an unknown or malformed folder is the core's "does not exist". */
const FolderRef = v.pipe(v.string(), v.minLength(1), v.maxLength(200))
export const FolderParams = v.object({ folder: FolderRef })
export const IdParams = v.object({ id: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) })
export const NameParams = v.object({ name: v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,64}$/, 'unknown name')) })

const Trigger = v.picklist(['always', 'mention', 'pattern'], 'triggerMode: always, mention or pattern')
const Text = (max: number) =>
  v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(max))
const OptionalText = (max: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.maxLength(max),
      v.transform((s) => (s === '' ? undefined : s)),
    ),
  )

export const ExtraMountSchema = v.object({
  hostPath: v.pipe(v.string(), v.trim(), v.minLength(1, 'hostPath: must not be empty'), v.maxLength(4096)),
  containerPath: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(255)), ''),
  readonly: v.optional(v.boolean()),
})

const Amount = (what: string) =>
  v.optional(v.pipe(v.number(), v.minValue(0, `${what}: at least 0`), v.maxValue(1e12, `${what}: too large`)))

/** A group's budget (docs/usage.md): limits per day and month in USD and/or tokens. */
export const BudgetSchema = v.object({
  dailyUsd: Amount('budget.dailyUsd'),
  monthlyUsd: Amount('budget.monthlyUsd'),
  dailyTokens: v.optional(v.pipe(v.number(), v.integer('budget.dailyTokens: a whole number'), v.minValue(0))),
  monthlyTokens: v.optional(
    v.pipe(v.number(), v.integer('budget.monthlyTokens: a whole number'), v.minValue(0)),
  ),
  policy: v.optional(v.picklist(['hold', 'drop'], 'budget.policy: hold or drop')),
})

export const GroupSettingsSchema = v.object({
  network: v.optional(v.picklist(['bridge', 'none', 'host'])),
  memory: v.optional(v.pipe(v.string(), v.regex(/^\d+(\.\d+)?[bkmg]?$/i, 'memory: e.g. 512m or 2g'))),
  cpus: v.optional(v.pipe(v.string(), v.regex(/^\d+(\.\d+)?$/, 'cpus: e.g. 1 or 1.5'))),
  timeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1000))),
  provider: v.optional(v.picklist(['claude', 'mock'])),
  image: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
  extraMounts: v.optional(v.pipe(v.array(ExtraMountSchema), v.maxLength(20, 'extraMounts: at most 20'))),
  budget: v.optional(BudgetSchema),
})

export const CreateGroupBody = v.object({
  folder: Bounded(200),
  name: v.optional(Bounded(1000)),
  triggerMode: v.optional(Trigger),
  triggerPattern: OptionalText(500),
  settings: v.optional(GroupSettingsSchema),
})

export const UpdateGroupBody = v.object({
  name: v.optional(Text(100)),
  triggerMode: v.optional(Trigger),
  triggerPattern: OptionalText(500),
})

export const MemoryBody = v.object({ text: v.pipe(v.string(), v.maxLength(512 * 1024)) })
export const Jid = v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_-]*:[^\s]+$/, 'chatJid: <platform>:<id>'))
export const BindBody = v.object({ chatJid: Bounded(1000), move: v.optional(v.boolean()) })
export const RemoveGroupQuery = v.object({ force: v.optional(v.picklist(['true', 'false', '1', '0'])) })
export const TokenTtlBody = v.optional(v.object({ ttlMs: v.optional(v.number()) }))

const Limit = (def: string, max: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.transform(Number),
      v.integer('limit: a whole number'),
      v.minValue(1),
      v.maxValue(max),
    ),
    def,
  )

export const ChatsQuery = v.object({ unbound: v.optional(v.picklist(['true', 'false', '1', '0'])) })
export const MessagesQuery = v.object({
  chatJid: v.optional(Jid),
  q: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
  before: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1))),
  limit: Limit('50', 500),
})
export const PostMessageBody = v.object({ text: Text(20_000) })
/** The dashboard chat form: text, files, or both (multipart when a file is attached). */
export const ChatFormBody = v.pipe(
  v.object({
    text: v.optional(v.pipe(v.string(), v.maxLength(20_000))),
    file: v.optional(v.union([v.instance(File), v.array(v.instance(File))])),
  }),
  v.check(
    (b) => (b.text ?? '').trim() !== '' || [b.file ?? []].flat().some((f) => f.size > 0),
    'text: write a message or attach a file',
  ),
)

export const CreateTaskBody = v.object({
  groupFolder: FolderRef,
  prompt: Bounded(1_000_000),
  scheduleType: Bounded(100),
  scheduleValue: Bounded(1000),
  contextMode: v.optional(Bounded(100)),
  chatJid: v.optional(Bounded(1000)),
})
export const UpdateTaskBody = v.object({ prompt: Text(20_000) })
export const TasksQuery = v.object({ group: v.optional(FolderRef) })
export const RunsQuery = v.object({ group: v.optional(Folder), limit: Limit('100', 1000) })
export const SessionResetBody = v.object({
  scope: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(100))),
})
export const EnabledBody = v.object({ enabled: v.boolean() })
export const PluginConfigBody = v.object({ config: v.record(v.string(), v.unknown()) })
export const TokenBody = v.object({ name: Text(64) })
