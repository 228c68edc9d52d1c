/** What goes into the unit; everything is decided by the caller (plan.ts), this file only renders. */
export interface ServiceSpec {
  /** Unit / label name, e.g. `ngb`. */
  name: string
  scope: 'user' | 'system'
  /** argv of the daemon, absolute paths: [binary, 'serve'] or [bun, /abs/src/main.ts, 'serve']. */
  exec: string[]
  dataDir: string
  workingDir: string
  /** Read by systemd before start; optional (`-` prefix), meant for secrets, mode 0600. */
  envFile: string
  /** Extra environment carried over from the install (NGB_DATA_DIR, NGB_CONFIG, DOCKER_HOST, …). */
  env: Record<string, string>
  /** System units: the account to run as (omitted for root). */
  runAs?: string
  /** System units: add the docker group (it exists on this host). */
  dockerGroup?: boolean
}

/** systemd expands `%` specifiers and `$` variables in these settings; keep paths literal. */
function escapeValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')
}

function quoteWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) && !s.includes('%') && !s.includes('$')
    ? s
    : `"${escapeValue(s)}"`
}

/** Path settings are taken verbatim (no quoting, spaces allowed); only specifiers need escaping. */
function literalPath(s: string): string {
  return s.replace(/%/g, '%%')
}

/**
 * A unit for `ngb serve`, following stack.md §7.1 (verified with `systemd-analyze verify`). User units
 * want default.target and cannot order against docker.service, which lives in the system manager.
 * No PrivateTmp/ProtectHome: the docker daemon must see the paths ngb hands it for mounts.
 */
export function renderSystemdUnit(spec: ServiceSpec): string {
  const system = spec.scope === 'system'
  const unit = [
    '[Unit]',
    `Description=NanoGridBot (ngb serve) - agents for chat platforms in Docker containers`,
    ...(system
      ? [
          'After=network-online.target docker.service',
          'Wants=network-online.target',
          'Requires=docker.service',
        ]
      : []),
    'StartLimitIntervalSec=300',
    'StartLimitBurst=5',
    '',
    '[Service]',
    'Type=exec',
    ...(system && spec.runAs ? [`User=${spec.runAs}`] : []),
    ...(system && spec.dockerGroup ? ['SupplementaryGroups=docker'] : []),
    `ExecStart=${spec.exec.map(quoteWord).join(' ')}`,
    // `-`: a data dir that does not exist yet is created by ngb itself, not fatal for systemd.
    `WorkingDirectory=-${literalPath(spec.workingDir)}`,
    `EnvironmentFile=-${literalPath(spec.envFile)}`,
    ...Object.entries(spec.env).map(([k, v]) => `Environment="${k}=${escapeValue(v)}"`),
    'Restart=on-failure',
    'RestartSec=5s',
    'TimeoutStopSec=30s',
    'KillMode=mixed',
    ...(system ? ['NoNewPrivileges=true', 'ProtectSystem=full', 'LimitNOFILE=65536'] : []),
    '',
    '[Install]',
    `WantedBy=${system ? 'multi-user.target' : 'default.target'}`,
    '',
  ]
  return unit.join('\n')
}
