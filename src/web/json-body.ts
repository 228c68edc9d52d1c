import { Elysia } from 'elysia'
import { HttpError } from './errors.ts'

/** No request body of ours nests deeper than a few levels; 64 leaves room and stops a parser bomb. */
export const MAX_JSON_DEPTH = 64

/** The deepest nesting of arrays/objects in `text`, counting only brackets outside strings. */
export function jsonDepth(text: string, stopAt = Number.POSITIVE_INFINITY): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92)
        i++ // backslash: skip the escaped character
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 91 || c === 123) {
      depth++
      if (depth > max) {
        max = depth
        if (max > stopAt) return max
      }
    } else if (c === 93 || c === 125) depth--
  }
  return max
}

/**
 * Parses JSON bodies for every route after checking their depth: JSON nested 20,000 levels deep
 * made the parser run for seconds and then throw a stack overflow (a 500, unauthenticated). Too
 * deep is a 400 before any parsing. Other content types fall through to Elysia's parsers.
 */
export function jsonBodyGuard() {
  return new Elysia({ name: 'ngb-json-body' }).onParse({ as: 'global' }, async ({ request, contentType }) => {
    if (!contentType.startsWith('application/json')) return
    const text = await request.text()
    if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
      throw new HttpError(400, 'invalid_input', `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`)
    if (text.trim() === '') return undefined
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw new HttpError(400, 'invalid_input', 'the body is not valid JSON')
    }
  })
}
