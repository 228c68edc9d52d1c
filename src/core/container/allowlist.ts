import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path'
import * as v from 'valibot'
import type { ExtraMount } from '../types.ts'
import type { Mount } from './runtime.ts'

/** Always blocked, whatever the allowlist says (DESIGN §5). */
export const DEFAULT_BLOCKED_PATTERNS = [
  '.ssh',
  '.gnupg',
  '.gpg',
  '.aws',
  '.azure',
  '.gcloud',
  '.kube',
  '.docker',
  'credentials',
  '.env',
  '.netrc',
  '.npmrc',
  '.pypirc',
  'id_rsa',
  'id_ed25519',
  'private_key',
  '.secret',
] as const

export const MountAllowlistSchema = v.object({
  allowedRoots: v.array(
    v.object({
      path: v.pipe(v.string(), v.minLength(1)),
      allowReadWrite: v.boolean(),
      description: v.optional(v.string()),
    }),
  ),
  blockedPatterns: v.array(v.string()),
  nonMainReadOnly: v.boolean(),
})
export type MountAllowlist = v.InferOutput<typeof MountAllowlistSchema>

export type AllowlistLoad =
  | { ok: true; allowlist: MountAllowlist; path: string }
  | { ok: false; reason: string; path: string }

/** `~/.config/nanogridbot/mount-allowlist.json`; kept outside the data dir and never mounted. */
export function allowlistPath(configDir: string): string {
  return join(configDir, 'mount-allowlist.json')
}

/** A missing or invalid allowlist is not an error: it means "no extra mounts at all". */
export function loadMountAllowlist(path: string): AllowlistLoad {
  if (!existsSync(path)) return { ok: false, path, reason: `${path} does not exist` }
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    return { ok: false, path, reason: `${path} is not valid JSON: ${(error as Error).message}` }
  }
  const parsed = v.safeParse(MountAllowlistSchema, json)
  if (!parsed.success) {
    const issue = parsed.issues[0]
    const where = issue.path?.map((p) => String(p.key)).join('.') ?? '(root)'
    return { ok: false, path, reason: `${path}: ${where}: ${issue.message}` }
  }
  return { ok: true, path, allowlist: parsed.output }
}

export interface ExtraMountContext {
  isMain: boolean
  home: string
  /** Paths that must never be reachable from a container: the data dir (db, .env, other groups), the config dir. */
  protectedPaths: string[]
}

export type MountDecision = { ok: true; mount: Mount } | { ok: false; reason: string }

function expandHome(p: string, home: string): string {
  if (p === '~') return home
  if (p.startsWith('~/')) return join(home, p.slice(2))
  return p
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return realpathSync(p)
  } catch {
    return undefined
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

function blockedBy(path: string, patterns: string[]): string | undefined {
  const lower = path.toLowerCase()
  const parts = lower.split(sep).filter(Boolean)
  for (const raw of patterns) {
    const pattern = raw.trim().toLowerCase()
    if (pattern === '') continue
    if (parts.some((part) => part.includes(pattern)) || lower.includes(pattern)) return raw
  }
  return undefined
}

/**
 * Container paths are relative to /workspace/extra and may not climb out of it, nor name it
 * (`.` would mount over /workspace/extra itself: docker refused the run with exit 125).
 */
export function checkContainerPath(p: string): string | undefined {
  if (p.trim() === '') return 'the container path is empty'
  if (isAbsolute(p)) return `the container path "${p}" must be relative (it goes under /workspace/extra)`
  const parts = p.replace(/^\.\//, '').split(/[\\/]/)
  if (parts.includes('..')) return `the container path "${p}" must not contain ".."`
  if (parts.includes('.') || parts.every((x) => x === ''))
    return `the container path "${p}" must not contain "." (name a folder)`
  if (/[,\n\0:]/.test(p)) return `the container path "${p}" has a forbidden character (, : newline NUL)`
  return undefined
}

/** Checks one requested extra mount against the allowlist (rules in docs/containers.md). */
export function checkExtraMount(
  req: ExtraMount,
  allowlist: MountAllowlist,
  ctx: ExtraMountContext,
): MountDecision {
  const containerPath = req.containerPath || basename(req.hostPath)
  const badContainer = checkContainerPath(containerPath)
  if (badContainer) return { ok: false, reason: badContainer }

  if (/[\n\r\0]/.test(req.hostPath)) return { ok: false, reason: 'the host path has a line break or NUL' }
  const requested = resolve(expandHome(req.hostPath, ctx.home))
  const real = realpathOrUndefined(requested)
  if (!real) return { ok: false, reason: `${req.hostPath} does not exist` }

  const patterns = [...DEFAULT_BLOCKED_PATTERNS, ...allowlist.blockedPatterns]
  // Both the path as written and the resolved one are checked: a symlink named "notes" to ~/.ssh is caught by the second.
  for (const candidate of [requested, real]) {
    const hit = blockedBy(candidate, patterns)
    if (hit) return { ok: false, reason: `${req.hostPath} matches the blocked pattern "${hit}"` }
  }
  for (const guarded of ctx.protectedPaths) {
    const g = realpathOrUndefined(guarded) ?? resolve(guarded)
    if (isInside(real, g) || isInside(g, real))
      return { ok: false, reason: `${req.hostPath} overlaps ${g}, which is never mounted` }
  }

  const root = allowlist.allowedRoots.find((r) => {
    const rootReal = realpathOrUndefined(resolve(expandHome(r.path, ctx.home)))
    return rootReal !== undefined && isInside(real, rootReal)
  })
  if (!root) return { ok: false, reason: `${req.hostPath} is not inside any allowed root` }

  const wantsWrite = req.readonly === false
  const mayWrite = root.allowReadWrite && (ctx.isMain || !allowlist.nonMainReadOnly)
  return {
    ok: true,
    mount: {
      hostPath: real,
      containerPath: `/workspace/extra/${containerPath.replace(/^\.\//, '')}`,
      readonly: !(wantsWrite && mayWrite),
    },
  }
}
