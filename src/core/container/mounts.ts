import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { FOLDER_PATTERN, IPC_DIRS } from '../../protocol/container.ts'
import { ensureDir, ensureRoot, safeEmptyDir } from '../../util/safe-fs/index.ts'
import { InvalidInputError } from '../errors.ts'
import type { ExtraMount } from '../types.ts'
import type { ExtraMountContext, MountAllowlist } from './allowlist.ts'
import { checkExtraMount } from './allowlist.ts'
import type { Mount } from './runtime.ts'

/** Where a group's directories live on the host (all under the data dir, all per folder). */
export interface GroupDirs {
  group: string
  global: string
  state: string
  ipc: string
  logs: string
  /** The folder, and the trusted (host-only) roots the agent-writable dirs above hang off. */
  folder: string
  roots: { groups: string; ipc: string; state: string }
}

export function groupDirs(
  roots: { groups: string; global: string; ipc: string; state: string },
  folder: string,
): GroupDirs {
  if (!FOLDER_PATTERN.test(folder) || folder === 'global') {
    throw new InvalidInputError(
      `"${folder}" is not a valid group folder: use 1-64 lowercase letters, digits or dashes (and not "global")`,
      'folder',
    )
  }
  const group = join(roots.groups, folder)
  return {
    group,
    global: roots.global,
    state: join(roots.state, folder, '.claude'),
    ipc: join(roots.ipc, folder),
    logs: join(group, 'logs'),
    folder,
    roots: { groups: roots.groups, ipc: roots.ipc, state: roots.state },
  }
}

/**
 * Creates the group's directories before mounting them (Docker would create missing ones as
 * root), clears stale follow-ups and `_close`, and gives the container user ownership. Everything
 * below the roots is agent-writable, so each directory is verified (or re-created when the agent
 * replaced it with a link or a file) through safe-fs, and only the mounted dirs themselves are
 * chowned, by descriptor: never recursively, never through a path the agent controls.
 */
export function prepareGroupDirs(dirs: GroupDirs, owner?: { uid: number; gid: number }): void {
  const { roots, folder } = dirs
  for (const root of Object.values(roots)) ensureRoot(root)
  ensureDir(roots.state, folder)
  const created: Array<[string, string]> = [
    [roots.groups, folder],
    [roots.groups, `${folder}/logs`],
    [roots.state, `${folder}/.claude`],
    [roots.ipc, folder],
    ...Object.values(IPC_DIRS).map((d): [string, string] => [roots.ipc, `${folder}/${d}`]),
  ]
  for (const [root, rel] of created) ensureDir(root, rel, { owner })
  ensureRoot(dirs.global)
  safeEmptyDir(roots.ipc, `${folder}/${IPC_DIRS.input}`)
}

/** The fixed mounts of DESIGN §5. groups/global is mounted read-only, and only for non-main groups. */
export function groupMounts(dirs: GroupDirs, isMain: boolean): Mount[] {
  const mounts: Mount[] = [
    { hostPath: dirs.group, containerPath: '/workspace/group', readonly: false },
    { hostPath: dirs.state, containerPath: '/home/agent/.claude', readonly: false },
    { hostPath: dirs.ipc, containerPath: '/workspace/ipc', readonly: false },
  ]
  if (!isMain && existsSync(dirs.global)) {
    mounts.splice(1, 0, { hostPath: dirs.global, containerPath: '/workspace/global', readonly: true })
  }
  return mounts
}

export interface ExtraMountsResult {
  mounts: Mount[]
  rejected: Array<{ request: ExtraMount; reason: string }>
}

/** Extra mounts pass only through the allowlist; without one, every request is rejected. */
export function extraMounts(
  requests: ExtraMount[],
  allowlist: MountAllowlist | undefined,
  ctx: ExtraMountContext,
): ExtraMountsResult {
  const out: ExtraMountsResult = { mounts: [], rejected: [] }
  const seen = new Set<string>()
  for (const request of requests) {
    if (!allowlist) {
      out.rejected.push({ request, reason: 'no valid mount allowlist, so no extra mounts' })
      continue
    }
    const d = checkExtraMount(request, allowlist, ctx)
    if (!d.ok) out.rejected.push({ request, reason: d.reason })
    else if (seen.has(d.mount.containerPath))
      out.rejected.push({ request, reason: `${d.mount.containerPath} is already mounted` })
    else {
      seen.add(d.mount.containerPath)
      out.mounts.push(d.mount)
    }
  }
  return out
}
