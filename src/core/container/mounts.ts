import { chownSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { FOLDER_PATTERN, IPC_DIRS } from '../../protocol/container.ts'
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
  }
}

/**
 * Creates the group's directories before mounting them (Docker would create missing ones as
 * root), clears stale follow-ups and `_close`, and gives the container user ownership.
 */
export function prepareGroupDirs(dirs: GroupDirs, owner?: { uid: number; gid: number }): void {
  const created = [
    dirs.group,
    dirs.logs,
    dirs.state,
    dirs.ipc,
    ...Object.values(IPC_DIRS).map((d) => join(dirs.ipc, d)),
  ]
  for (const d of created) mkdirSync(d, { recursive: true })
  mkdirSync(dirs.global, { recursive: true })
  const input = join(dirs.ipc, IPC_DIRS.input)
  for (const f of readdirSync(input)) rmSync(join(input, f), { force: true, recursive: true })
  if (owner) {
    // Only the group's own dirs (not recursively into the user's files: a new folder is empty, and
    // files the agent writes are already its own).
    for (const d of created) chownSync(d, owner.uid, owner.gid)
  }
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
