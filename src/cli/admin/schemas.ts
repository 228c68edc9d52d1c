import * as v from 'valibot'

/** What the API answers, checked before the CLI prints it (the server may be another ngb version). */
const opt = <T extends v.GenericSchema>(s: T) => v.optional(s)
const str = v.string()
const num = v.number()

export const GroupSchema = v.looseObject({
  folder: str,
  name: str,
  isMain: v.boolean(),
  triggerMode: v.picklist(['always', 'mention', 'pattern']),
  triggerPattern: opt(str),
  settings: v.optional(v.record(str, v.unknown()), {}),
  createdAt: num,
})

export const BindingSchema = v.looseObject({ chatJid: str })

export const ChatSchema = v.looseObject({
  jid: str,
  platform: str,
  name: opt(str),
  isGroup: v.boolean(),
  lastMessageAt: opt(num),
  createdAt: num,
  groupFolder: opt(str),
})

export const BindTokenSchema = v.looseObject({
  token: str,
  groupFolder: str,
  createdAt: num,
  expiresAt: num,
})

export const TaskSchema = v.looseObject({
  id: str,
  groupFolder: str,
  chatJid: str,
  prompt: str,
  scheduleType: v.picklist(['cron', 'interval', 'once']),
  scheduleValue: str,
  contextMode: v.picklist(['group', 'isolated']),
  status: v.picklist(['active', 'paused', 'completed']),
  nextRunAt: opt(num),
  lastRunAt: opt(num),
  lastResult: opt(str),
  createdAt: num,
})

export const TaskRunSchema = v.looseObject({
  id: num,
  taskId: str,
  runId: opt(str),
  startedAt: num,
  finishedAt: opt(num),
  status: v.picklist(['running', 'ok', 'error', 'timeout']),
  result: opt(str),
  error: opt(str),
})

export const ErrorBodySchema = v.looseObject({ error: str, message: str })

const UsageTotalsShape = {
  runs: num,
  inputTokens: num,
  outputTokens: num,
  cacheWriteTokens: num,
  cacheReadTokens: num,
  costUsd: num,
  apiCalls: num,
  apiMs: num,
}
const UsageRowSchema = v.looseObject({ key: str, ...UsageTotalsShape })

export const UsageReportSchema = v.looseObject({
  from: opt(num),
  to: opt(num),
  timezone: str,
  group: opt(str),
  totals: v.looseObject(UsageTotalsShape),
  groups: v.array(UsageRowSchema),
  chats: v.array(UsageRowSchema),
  tasks: v.array(UsageRowSchema),
  models: v.array(UsageRowSchema),
  days: v.array(v.looseObject({ day: str, ...UsageTotalsShape })),
})
