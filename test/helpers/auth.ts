import type { Repos } from '../../src/db/repos/index.ts'
import { createAuthService } from '../../src/web/auth/auth-service.ts'
import { createLoginThrottle } from '../../src/web/auth/throttle.ts'

/** The real auth service over a test's repos, its login throttle on the same `now`. */
export function testAuth(repos: Repos, now: () => number, throttle: { freeFailures?: number } = {}) {
  return createAuthService({
    users: repos.users,
    sessions: repos.webSessions,
    apiTokens: repos.apiTokens,
    meta: repos.meta,
    throttle: createLoginThrottle({ now, ...throttle }),
    now,
  })
}
