import { existsSync } from 'node:fs'
import type { Logger } from '../../util/log.ts'
import type { ExtraMount } from '../types.ts'
import type { MountAllowlist } from './allowlist.ts'
import { checkContainerPath, checkExtraMount, loadMountAllowlist } from './allowlist.ts'

export interface MountPolicyOptions {
  allowlistFile: string
  home: string
  /** Never mountable: the data dir, the config dir. */
  protectedPaths: string[]
  log?: Logger
}

export interface MountPolicy {
  /** The allowlist as it is on disk now (undefined: none or invalid, so no extra mounts). */
  allowlist(): MountAllowlist | undefined
  /** Why this mount would be skipped at run time, or undefined when it would be mounted. */
  check(mount: ExtraMount, isMain: boolean): string | undefined
}

/**
 * One place that reads the mount allowlist for both moments it matters: when a group's extra mounts
 * are saved (refused with the reason) and when a run starts (skipped with the reason, since the
 * file or the paths may have changed since).
 */
export function createMountPolicy(opts: MountPolicyOptions): MountPolicy {
  const allowlist = () => {
    const load = loadMountAllowlist(opts.allowlistFile)
    if (load.ok) return load.allowlist
    if (existsSync(opts.allowlistFile))
      opts.log?.warn('mount allowlist ignored: no extra mounts', { component: 'mounts', reason: load.reason })
    return undefined
  }
  return {
    allowlist,
    check(mount, isMain) {
      const bad = checkContainerPath(mount.containerPath || 'x')
      if (bad) return bad
      const list = allowlist()
      if (!list)
        return `no valid mount allowlist at ${opts.allowlistFile}, so no extra mounts (see docs/containers.md)`
      const d = checkExtraMount(mount, list, { isMain, home: opts.home, protectedPaths: opts.protectedPaths })
      return d.ok ? undefined : d.reason
    },
  }
}
