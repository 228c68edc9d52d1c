import { lstatSync, realpathSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { InvalidInputError } from '../errors.ts'

/**
 * Resolves a workspace-relative path the agent named to a real file inside the workspace: no
 * absolute paths, no `..`, and after resolving symlinks still inside. Throws InvalidInputError.
 */
export function resolveInWorkspace(workspace: string, rel: string): string {
  if (rel.startsWith('/') || rel.startsWith('\\') || /^[a-zA-Z]:/.test(rel))
    throw new InvalidInputError(`"${rel}" is absolute; give a path relative to the workspace`, 'path')
  const cleaned = rel
  if (cleaned.split(/[\\/]/).includes('..'))
    throw new InvalidInputError(`"${rel}" leaves the workspace (..)`, 'path')
  const root = realpathSync(workspace)
  let real: string
  try {
    real = realpathSync(join(root, cleaned))
  } catch {
    throw new InvalidInputError(`"${rel}" does not exist in the workspace`, 'path')
  }
  const inside = relative(root, real)
  if (inside === '' || inside.startsWith('..') || inside.startsWith(sep))
    throw new InvalidInputError(`"${rel}" resolves outside the workspace (a symlink)`, 'path')
  if (!lstatSync(real).isFile()) throw new InvalidInputError(`"${rel}" is not a file`, 'path')
  return real
}

/**
 * Where a workspace file really is, as a trusted root (the workspace's real path) and a path inside
 * it with no link left in it. Opening that through safe-fs (`safeCopyOut`) refuses it if the agent
 * swaps a component for a link after this check, so the file that is used is the file that was checked.
 */
export function canonicalInWorkspace(workspace: string, rel: string): { root: string; rel: string } {
  const real = resolveInWorkspace(workspace, rel)
  const root = realpathSync(workspace)
  return { root, rel: relative(root, real) }
}
