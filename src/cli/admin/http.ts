import * as v from 'valibot'
import type { ErrorCode } from '../../core/errors.ts'
import { NgbError } from '../../core/errors.ts'
import type { Group, Task, TaskRun } from '../../core/types.ts'
import type { UsageReport } from '../../core/usage/report.ts'
import type { BindToken } from '../../db/repos/bind-tokens.ts'
import type { ChatWithBinding } from '../../db/repos/chats.ts'
import type { Admin } from './admin.ts'
import {
  BindingSchema,
  BindTokenSchema,
  ChatSchema,
  ErrorBodySchema,
  GroupSchema,
  TaskRunSchema,
  TaskSchema,
  UsageReportSchema,
} from './schemas.ts'

const CODES: readonly string[] = [
  'config_invalid',
  'not_found',
  'conflict',
  'invalid_input',
  'unauthorized',
  'forbidden',
  'container_failed',
  'channel_failed',
  'plugin_failed',
  'db_failed',
  'verification_failed',
  'unavailable',
  'rate_limited',
]

/** JSON null means "absent" in our records; valibot's optional() wants undefined. */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls)
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(value)) if (x !== null) out[k] = dropNulls(x)
    return out
  }
  return value
}

export interface HttpAdminDeps {
  url: string
  token: string
  fetch?: typeof fetch
  timeoutMs?: number
}

/** The server's answer to a failed request, with the error code it sent. */
export class ApiError extends NgbError {
  readonly status: number
  constructor(status: number, code: ErrorCode, message: string) {
    super(code, message)
    this.name = 'ApiError'
    this.status = status
  }
}

/** The server answered 404 without an error body: it has no such route (an older or partial build). */
export class MissingApiError extends NgbError {
  constructor(path: string) {
    super('not_found', `the running server has no ${path} API`)
    this.name = 'MissingApiError'
  }
}

export function createHttpAdmin(deps: HttpAdminDeps): Admin {
  const doFetch = deps.fetch ?? fetch
  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response
    try {
      res = await doFetch(`${deps.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${deps.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(deps.timeoutMs ?? 30_000),
      })
    } catch (error) {
      throw new NgbError('not_found', `cannot reach ngb serve at ${deps.url}: ${(error as Error).message}`, {
        cause: error,
      })
    }
    const text = await res.text()
    let json: unknown
    try {
      json = text ? JSON.parse(text) : undefined
    } catch {
      json = undefined
    }
    if (res.ok) return dropNulls(json)
    const err = v.safeParse(ErrorBodySchema, json)
    if (!err.success) {
      if (res.status === 404) throw new MissingApiError(path.split('?')[0] ?? path)
      // Not ngb's error body (a proxy, a crash page): say what came back instead of guessing a code.
      const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200)
      throw new ApiError(
        res.status,
        res.status >= 500 ? 'unavailable' : 'invalid_input',
        `ngb serve answered ${res.status} ${res.statusText} to ${method} ${path}${snippet ? `: ${snippet}` : ''}`.replace(
          /\s+:/,
          ':',
        ),
      )
    }
    // Elysia's own 404 for a route this server does not have.
    if (res.status === 404 && err.output.message === 'no such route')
      throw new MissingApiError(path.split('?')[0] ?? path)
    const code = (CODES.includes(err.output.error) ? err.output.error : 'invalid_input') as ErrorCode
    throw new ApiError(res.status, code, err.output.message)
  }
  const get = async <T extends v.GenericSchema>(schema: T, path: string) =>
    v.parse(schema, await call('GET', path))
  const send = async <T extends v.GenericSchema>(schema: T, method: string, path: string, body?: unknown) =>
    v.parse(schema, await call(method, path, body))
  const enc = encodeURIComponent

  /** Read-modify-write of a group's settings; returns the group as saved. */
  async function putSettings(
    folder: string,
    change: (settings: Record<string, unknown>) => Record<string, unknown>,
  ): Promise<Group> {
    const path = `/api/groups/${enc(folder)}/settings`
    const settings = v.parse(v.record(v.string(), v.unknown()), await call('GET', path))
    await call('PUT', path, change(settings))
    const groups = (await get(v.array(GroupSchema), '/api/groups')) as Group[]
    const group = groups.find((g) => g.folder === folder)
    if (!group) throw new NgbError('not_found', `group "${folder}" does not exist`)
    return group
  }
  return {
    via: `api ${deps.url}`,
    async listGroups() {
      const groups = (await get(v.array(GroupSchema), '/api/groups')) as Group[]
      return Promise.all(
        groups.map(async (g) => ({
          ...g,
          chats: (await get(v.array(BindingSchema), `/api/groups/${enc(g.folder)}/bindings`)).map(
            (b) => b.chatJid,
          ),
        })),
      )
    },
    addGroup: async (input) => (await send(GroupSchema, 'POST', '/api/groups', input)) as Group,
    async removeGroup(folder, opts) {
      await call('DELETE', `/api/groups/${enc(folder)}${opts.force ? '?force=true' : ''}`)
    },
    async bind(folder, chatJid, opts) {
      await call('POST', `/api/groups/${enc(folder)}/bindings`, {
        chatJid,
        ...(opts.move ? { move: true } : {}),
      })
    },
    async unbind(chatJid) {
      try {
        await call('DELETE', `/api/chats/${enc(chatJid)}/binding`)
        return true
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return false
        throw error
      }
    },
    createBindToken: async (folder, ttlMs) =>
      (await send(
        BindTokenSchema,
        'POST',
        `/api/groups/${enc(folder)}/tokens`,
        ttlMs ? { ttlMs } : undefined,
      )) as BindToken,
    listChats: async (opts) =>
      (await get(
        v.array(ChatSchema),
        `/api/chats${opts.unboundOnly ? '?unbound=true' : ''}`,
      )) as ChatWithBinding[],
    listTasks: async (opts) =>
      (await get(
        v.array(TaskSchema),
        `/api/tasks${opts.groupFolder ? `?group=${enc(opts.groupFolder)}` : ''}`,
      )) as Task[],
    addTask: async (input) => (await send(TaskSchema, 'POST', '/api/tasks', input)) as Task,
    pauseTask: async (id) => (await send(TaskSchema, 'POST', `/api/tasks/${enc(id)}/pause`)) as Task,
    resumeTask: async (id) => (await send(TaskSchema, 'POST', `/api/tasks/${enc(id)}/resume`)) as Task,
    async removeTask(id) {
      const task = (await get(TaskSchema, `/api/tasks/${enc(id)}`)) as Task
      await call('DELETE', `/api/tasks/${enc(id)}`)
      return task
    },
    taskRuns: async (id, limit) =>
      ((await get(v.array(TaskRunSchema), `/api/tasks/${enc(id)}/runs`)) as TaskRun[]).slice(0, limit),
    async setExtraMounts(folder, extraMounts) {
      return putSettings(folder, (settings) => ({ ...settings, extraMounts }))
    },
    async usage(query) {
      const params = new URLSearchParams()
      for (const [k, val] of Object.entries(query)) if (typeof val === 'string') params.set(k, val)
      const qs = params.size > 0 ? `?${params}` : ''
      return (await get(UsageReportSchema, `/api/usage${qs}`)) as UsageReport
    },
    async setBudget(folder, budget) {
      return putSettings(folder, ({ budget: _, ...rest }) => (budget ? { ...rest, budget } : rest))
    },
    resetSession: async (folder) =>
      (await send(v.object({ reset: v.boolean() }), 'POST', `/api/sessions/${enc(folder)}/reset`, {})).reset,
    close: () => {},
  }
}
