import { MIN_PASSWORD_LENGTH } from '../../config/schema.ts'
import { InvalidInputError, NgbError } from '../../core/errors.ts'
import type { ApiToken, ApiTokensRepo, UsersRepo, WebSessionsRepo } from '../../db/repos/auth.ts'
import type { MetaRepo } from '../../db/repos/meta.ts'
import { HttpError } from '../errors.ts'
import type { LoginThrottle } from './throttle.ts'

export const ADMIN_USERNAME = 'admin'
const SESSION_TTL_MS = 7 * 24 * 3600_000
const SETUP_TOKEN_KEY = 'web.setup_token_hash'

export interface Principal {
  kind: 'session' | 'token'
  userId?: number
  username: string
  /** Hash of the session id (cookie auth) — the CSRF token is bound to it. */
  sessionHash?: string
  tokenId?: string
}

export interface AuthServiceDeps {
  users: UsersRepo
  sessions: WebSessionsRepo
  apiTokens: ApiTokensRepo
  meta: MetaRepo
  throttle: LoginThrottle
  now: () => number
  /** Per-process random by default: a restart invalidates open forms, never sessions. */
  csrfSecret?: string
}

export interface AuthService {
  /** NGB_ADMIN_PASSWORD: creates the admin or updates its password when it changed. */
  syncAdminPassword(password: string): Promise<void>
  needsSetup(): boolean
  /** A fresh one-time setup token (only its hash is stored); replaces any earlier one. */
  issueSetupToken(): string
  checkSetupToken(token: string): boolean
  completeSetup(token: string, password: string): Promise<{ sessionId: string }>
  /** `clientIp` throttles the address too, unless it is loopback (every local process shares it). */
  login(username: string, password: string, clientIp?: string): Promise<{ sessionId: string }>
  logout(sessionId: string): void
  fromSession(sessionId: string): Principal | undefined
  fromBearer(token: string): Principal | undefined
  createApiToken(name: string): { token: string; record: ApiToken }
  listApiTokens(): ApiToken[]
  revokeApiToken(id: string): boolean
  /**
   * Whether the session or token behind a principal still holds: not logged out, not expired, not
   * revoked, its user not re-passworded. Long-lived connections (WebSockets) re-check it.
   */
  isValid(p: Principal): boolean
  csrfToken(p: Principal): string
  verifyCsrf(p: Principal, token: string | null | undefined): boolean
  sessionTtlMs: number
}

export function sha256(text: string): string {
  return new Bun.CryptoHasher('sha256').update(text).digest('hex')
}

function randomToken(bytes = 32): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url')
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

function checkPassword(password: string) {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new InvalidInputError(`the password needs at least ${MIN_PASSWORD_LENGTH} characters`, 'password')
}

/**
 * Throttled per account always, and per remote address only off loopback: on 127.0.0.1 the
 * address is shared by every local process, so keying on it let any of them lock the admin out.
 */
function throttleKeys(username: string, clientIp: string | undefined): string[] {
  const keys = [`account:${username.trim().toLowerCase()}`]
  if (clientIp && !isLoopback(clientIp)) keys.push(`ip:${clientIp}`)
  return keys
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.')
}

export function createAuthService(deps: AuthServiceDeps): AuthService {
  const csrfSecret = deps.csrfSecret ?? randomToken()
  let dummyHash: string | undefined
  const newSession = (userId: number) => {
    const sessionId = randomToken()
    const now = deps.now()
    deps.sessions.create({
      idHash: sha256(sessionId),
      userId,
      createdAt: now,
      expiresAt: now + SESSION_TTL_MS,
    })
    deps.sessions.removeExpired(now)
    return { sessionId }
  }
  async function storeAdminPassword(password: string): Promise<void> {
    const admin = deps.users.byUsername(ADMIN_USERNAME)
    if (admin && (await Bun.password.verify(password, admin.passwordHash))) return
    const hash = await Bun.password.hash(password)
    if (admin) {
      deps.users.setPassword(admin.id, hash)
      // A new password ends every session opened with the old one (and their WebSockets).
      deps.sessions.removeForUser(admin.id)
    } else deps.users.create(ADMIN_USERNAME, hash, deps.now())
    deps.meta.delete(SETUP_TOKEN_KEY)
  }
  // Hashing is slow by design; a login that arrives meanwhile waits for it instead of failing.
  let passwordSynced: Promise<void> = Promise.resolve()
  const service: AuthService = {
    sessionTtlMs: SESSION_TTL_MS,
    syncAdminPassword(password) {
      passwordSynced = Promise.resolve().then(() => {
        checkPassword(password)
        return storeAdminPassword(password)
      })
      return passwordSynced
    },
    needsSetup: () => deps.users.count() === 0,
    issueSetupToken() {
      const token = randomToken(18)
      deps.meta.set(SETUP_TOKEN_KEY, sha256(token))
      return token
    },
    checkSetupToken(token) {
      const stored = deps.meta.get(SETUP_TOKEN_KEY)
      return service.needsSetup() && stored !== undefined && constantTimeEqual(stored, sha256(token))
    },
    async completeSetup(token, password) {
      if (!service.checkSetupToken(token))
        throw new NgbError(
          'forbidden',
          'this setup link is not valid (already used?); restart `ngb serve` for a new one',
        )
      checkPassword(password)
      // Claim the one-time token before hashing (the await): ten concurrent requests with the valid
      // token used to all pass the check, and nine then failed on the unique username (500s).
      const claimed = deps.meta.get(SETUP_TOKEN_KEY)
      deps.meta.delete(SETUP_TOKEN_KEY)
      let user: ReturnType<typeof deps.users.create>
      try {
        user = deps.users.create(ADMIN_USERNAME, await Bun.password.hash(password), deps.now())
      } catch (error) {
        if (claimed !== undefined && service.needsSetup()) deps.meta.set(SETUP_TOKEN_KEY, claimed)
        throw error
      }
      return newSession(user.id)
    },
    async login(username, password, clientIp) {
      await passwordSynced.catch(() => undefined)
      const keys = throttleKeys(username, clientIp)
      const waitMs = deps.throttle.retryAfterMs(keys)
      if (waitMs > 0) {
        const s = Math.ceil(waitMs / 1000)
        throw new HttpError(429, 'rate_limited', `too many failed logins; try again in ${s} s`, {
          retryAfterS: s,
        })
      }
      const user = deps.users.byUsername(username)
      // Verify against a dummy hash for unknown users so timing does not reveal which names exist.
      let ok = false
      if (user) ok = await Bun.password.verify(password, user.passwordHash)
      else {
        dummyHash ??= await Bun.password.hash(randomToken())
        await Bun.password.verify(password, dummyHash)
      }
      if (!user || !ok) {
        deps.throttle.fail(keys)
        throw new NgbError('unauthorized', 'wrong user name or password')
      }
      deps.throttle.succeed(keys)
      return newSession(user.id)
    },
    logout(sessionId) {
      deps.sessions.remove(sha256(sessionId))
    },
    fromSession(sessionId) {
      const idHash = sha256(sessionId)
      const s = deps.sessions.find(idHash, deps.now())
      if (!s) return undefined
      const user = deps.users.get(s.userId)
      if (!user) return undefined
      return { kind: 'session', userId: user.id, username: user.username, sessionHash: idHash }
    },
    fromBearer(token) {
      const t = deps.apiTokens.use(sha256(token), deps.now())
      return t ? { kind: 'token', username: `token:${t.name}`, tokenId: t.id } : undefined
    },
    createApiToken(name) {
      const token = `ngb_${randomToken(24)}`
      const record = deps.apiTokens.create({
        id: crypto.randomUUID().slice(0, 8),
        name,
        tokenHash: sha256(token),
        createdAt: deps.now(),
      })
      return { token, record }
    },
    listApiTokens: () => deps.apiTokens.list(),
    revokeApiToken: (id) => deps.apiTokens.revoke(id, deps.now()),
    isValid(p) {
      if (p.kind === 'token') return p.tokenId !== undefined && deps.apiTokens.isActive(p.tokenId)
      if (!p.sessionHash) return false
      const s = deps.sessions.find(p.sessionHash, deps.now())
      return s !== undefined && s.userId === p.userId && deps.users.get(s.userId) !== undefined
    },
    csrfToken(p) {
      return Bun.CSRF.generate(csrfSecret, {
        sessionId: p.sessionHash ?? p.username,
        expiresIn: SESSION_TTL_MS,
      })
    },
    verifyCsrf(p, token) {
      if (!token) return false
      try {
        return Bun.CSRF.verify(token, { secret: csrfSecret, sessionId: p.sessionHash ?? p.username })
      } catch {
        // A malformed token is simply not valid.
        return false
      }
    },
  }
  return service
}
