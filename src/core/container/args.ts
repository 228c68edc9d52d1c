import type { ContainerSpec, Mount } from './runtime.ts'

/**
 * `--mount` keeps paths with colons unambiguous, unlike `-v host:ctr:ro`. Docker reads its value as
 * one CSV record, so a field with a comma or a double quote is quoted CSV-style (`"source=/a,b"`,
 * quotes doubled); a comma in an allowed host path is then mounted instead of failing the run.
 */
export function mountArg(m: Mount): string {
  for (const p of [m.hostPath, m.containerPath]) {
    if (p.includes('\n') || p.includes('\r') || p.includes('\0'))
      throw new Error(`mount path "${p}" must not contain a line break or NUL`)
  }
  const field = (f: string) => (/[",]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)
  return [
    'type=bind',
    field(`source=${m.hostPath}`),
    field(`target=${m.containerPath}`),
    ...(m.readonly ? ['readonly'] : []),
  ].join(',')
}

/**
 * Writable scratch space in a read-only container: /tmp and the agent's home (Claude Code keeps
 * ~/.claude.json, ~/.cache and ~/.config there; ~/.claude itself is a bind mount over it). The
 * agent's only persistent writes go to its mounts. tmpfs counts against the memory limit.
 */
export const SCRATCH_TMPFS = ['/tmp', '/home/agent'] as const
const TMPFS_OPTIONS = 'rw,exec,nosuid,nodev,size=256m,mode=1777'

/**
 * The argv after the CLI name for `run`. Pure: the same spec always gives the same argv, and
 * nothing secret can appear because the spec has no field for it (secrets go on stdin).
 */
export function buildRunArgs(spec: ContainerSpec): string[] {
  const labels = Object.entries(spec.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`])
  return [
    'run',
    '-i',
    '--rm',
    '--name',
    spec.name,
    ...labels,
    '--user',
    spec.user,
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    '--pids-limit',
    String(spec.pidsLimit),
    '--memory',
    spec.memory,
    // No swap beyond the memory limit (docker's default allows as much swap again).
    '--memory-swap',
    spec.memory,
    '--read-only',
    ...SCRATCH_TMPFS.flatMap((p) => ['--tmpfs', `${p}:${TMPFS_OPTIONS}`]),
    '--cpus',
    spec.cpus,
    '--network',
    spec.network,
    ...spec.mounts.flatMap((m) => ['--mount', mountArg(m)]),
    spec.image,
  ]
}

/** `ngb-<folder>-<ms>`: unique per start, and names the group in `docker ps`. */
export function containerName(folder: string, now: number): string {
  return `ngb-${folder}-${now}`
}

/** Never root inside the container: the host user, or uid 1000 when the host runs as root. */
export function containerUser(hostUid: number, hostGid: number): { uid: number; gid: number } {
  return hostUid === 0 ? { uid: 1000, gid: 1000 } : { uid: hostUid, gid: hostGid }
}
