/** One failed check of a request, with the field as a dotted path (`extraMounts.0.hostPath`). */
export interface Issue {
  path?: string
  message: string
}

interface StandardIssue {
  message: string
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>
}
interface StandardSchema {
  '~standard': { validate(value: unknown): unknown }
}

const hasStandard = (x: unknown): x is StandardSchema =>
  typeof x === 'object' && x !== null && '~standard' in x

function segment(s: PropertyKey | { key: PropertyKey }): string {
  return typeof s === 'object' && s !== null ? String(s.key) : String(s)
}

/** Valibot's default wording, in words a user reads: "is required", "must be a string, not 5". */
function reword(message: string, path: string | undefined): string {
  if (/^Invalid key: Expected .* but received undefined$/.test(message)) return 'is required'
  const type = /^Invalid type: Expected (\w+) but received (.+)$/.exec(message)
  if (type) return `must be a ${type[1]}, not ${type[2]}`
  // Our schemas often name the field themselves ("folder: 1-64 of …"): do not say it twice.
  const last = path?.split('.').at(-1)
  if (last && message.startsWith(`${last}: `)) return message.slice(last.length + 2)
  return message
}

/**
 * The issues of an Elysia validation error. Elysia joins a standard schema's path segments with
 * "." although they are `{ key }` objects, so its messages read "[object Object]: …"; the schema
 * is run again here to get the real path.
 */
export function validationIssues(error: unknown): Issue[] {
  const e = error as { validator?: unknown; value?: unknown; all?: unknown }
  const validator = e.validator as { schema?: unknown } | undefined
  const std = hasStandard(validator)
    ? validator
    : hasStandard(validator?.schema)
      ? validator.schema
      : undefined
  if (std) {
    const result = std['~standard'].validate(e.value) as { issues?: StandardIssue[] } | Promise<unknown>
    if (!(result instanceof Promise) && result.issues) {
      return result.issues.slice(0, 20).map((i) => {
        const path = i.path?.length ? i.path.map(segment).join('.') : undefined
        return { path, message: reword(i.message, path) }
      })
    }
  }
  const all = Array.isArray(e.all)
    ? (e.all as Array<{ path?: unknown; message?: unknown; summary?: unknown }>)
    : []
  return all.map((i) => {
    const path =
      typeof i.path === 'string' ? i.path.replace(/^\//, '').replace(/\//g, '.') || undefined : undefined
    return { path, message: reword(String(i.message ?? i.summary ?? 'invalid value'), path) }
  })
}
