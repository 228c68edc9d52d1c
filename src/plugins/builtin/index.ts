import { autoReply } from './auto-reply.ts'
import type { BuiltinPlugin } from './builtin.ts'
import { mention } from './mention.ts'
import { rateLimiter } from './rate-limiter.ts'

/** In chain order: mentions are normalised first, then limits apply, then canned replies. */
export const BUILTIN_PLUGINS: readonly BuiltinPlugin[] = [mention, rateLimiter, autoReply]
export type { BuiltinDeps, BuiltinPlugin } from './builtin.ts'
