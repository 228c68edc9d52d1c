import { isAbsolute, join, resolve } from 'node:path'
import { defaultConfigDir } from '../../config/paths.ts'
import { InvalidInputError } from '../../core/errors.ts'
import { launchdLabel, renderLaunchdPlist } from './launchd-plist.ts'
import type { ServiceSpec } from './systemd-unit.ts'
import { renderSystemdUnit } from './systemd-unit.ts'

/** Facts about this host and process; passed in so planning is a pure function tests can drive. */
export interface HostFacts {
  platform: NodeJS.Platform
  env: Record<string, string | undefined>
  uid: number
  username: string
  home: string
  execPath: string
  /** `Bun.main`: `/$bunfs/…` inside a compiled binary, else the entry file. */
  mainPath: string
  tmpDir: string
  hasDockerGroup: boolean
}

export interface ServiceOptions {
  name: string
  user?: boolean
  system?: boolean
  runAs?: string
  dataDir: string
  configFile?: string
}

export interface ServicePlan {
  kind: 'systemd' | 'launchd'
  scope: 'user' | 'system'
  /** Where the unit / plist goes. */
  file: string
  content: string
  spec: ServiceSpec
  /** Run after writing, in order (when the service manager is running). */
  enable: string[][]
  /** Run before removing the file. */
  disable: string[][]
  /** Run after removing the file. */
  afterRemove: string[][]
  /** Restarts the running service (after `ngb upgrade` swapped the binary). */
  restart: string[][]
  status: string[][]
  notes: string[]
}

export function isCompiled(mainPath: string): boolean {
  return mainPath.startsWith('/$bunfs/') || mainPath.includes('~BUN')
}

/** The argv that starts `ngb serve` the same way this process was started. */
export function serveCommand(facts: HostFacts): string[] {
  return isCompiled(facts.mainPath)
    ? [facts.execPath, 'serve']
    : [facts.execPath, resolve(facts.mainPath), 'serve']
}

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/

export function planService(facts: HostFacts, opts: ServiceOptions): ServicePlan {
  if (!NAME.test(opts.name))
    throw new InvalidInputError(`--name must be lowercase letters, digits and -, got "${opts.name}"`, 'name')
  if (opts.user && opts.system) throw new InvalidInputError('choose one of --user and --system')
  const kind = facts.platform === 'darwin' ? 'launchd' : facts.platform === 'linux' ? 'systemd' : undefined
  if (!kind)
    throw new InvalidInputError(
      `ngb service supports Linux (systemd) and macOS (launchd), not ${facts.platform}; run \`ngb serve\` under your own supervisor`,
    )
  const scope = opts.user ? 'user' : opts.system ? 'system' : facts.uid === 0 ? 'system' : 'user'
  const notes: string[] = []
  const exec = serveCommand(facts)
  const binary = exec[0] ?? ''
  if (binary.startsWith(`${facts.tmpDir}/`) || binary.startsWith('/tmp/'))
    notes.push(`${binary} is in a temporary directory; move it (e.g. to /usr/local/bin) and install again`)

  const env: Record<string, string> = { NGB_DATA_DIR: opts.dataDir }
  if (opts.configFile)
    env.NGB_CONFIG = isAbsolute(opts.configFile) ? opts.configFile : resolve(opts.configFile)
  for (const key of ['NGB_CONTAINER_CLI', 'DOCKER_HOST'] as const) {
    const value = facts.env[key]
    if (value) env[key] = value
  }
  const runAsName = opts.runAs ?? facts.env.SUDO_USER ?? facts.username
  const runAs = scope === 'system' && runAsName !== 'root' ? runAsName : undefined
  if (runAs && runAs !== facts.username && opts.dataDir.startsWith(`${facts.home}/`))
    notes.push(
      `the service runs as ${runAs} but the data dir ${opts.dataDir} is in ${facts.home}; pass --data-dir`,
    )
  const envFile =
    scope === 'system'
      ? `/etc/nanogridbot/${opts.name}.env`
      : join(defaultConfigDir({ ...facts.env, HOME: facts.home }), `${opts.name}.env`)
  const spec: ServiceSpec = {
    name: opts.name,
    scope,
    exec,
    dataDir: opts.dataDir,
    workingDir: opts.dataDir,
    envFile,
    env,
    runAs,
    dockerGroup: scope === 'system' && runAs !== undefined && facts.hasDockerGroup,
  }
  if (kind === 'systemd') return planSystemd(spec, facts, notes)
  return planLaunchd(spec, facts, notes)
}

function planSystemd(spec: ServiceSpec, facts: HostFacts, notes: string[]): ServicePlan {
  const user = spec.scope === 'user'
  const ctl = user ? ['systemctl', '--user'] : ['systemctl']
  const unit = `${spec.name}.service`
  const configHome = facts.env.XDG_CONFIG_HOME || join(facts.home, '.config')
  const file = user ? join(configHome, 'systemd', 'user', unit) : join('/etc/systemd/system', unit)
  notes.push(`secrets (bot tokens, API keys) go in ${spec.envFile} (chmod 600) or ${spec.dataDir}/.env`)
  if (user) notes.push(`to keep it running after you log out: loginctl enable-linger ${facts.username}`)
  return {
    kind: 'systemd',
    scope: spec.scope,
    file,
    content: renderSystemdUnit(spec),
    spec,
    enable: [
      [...ctl, 'daemon-reload'],
      [...ctl, 'enable', '--now', unit],
    ],
    disable: [[...ctl, 'disable', '--now', unit]],
    afterRemove: [[...ctl, 'daemon-reload']],
    restart: [[...ctl, 'restart', unit]],
    status: [
      [...ctl, 'is-enabled', unit],
      [...ctl, 'is-active', unit],
    ],
    notes: [...notes, `logs: journalctl ${user ? '--user ' : ''}-u ${spec.name} -f (or ngb logs -f)`],
  }
}

function planLaunchd(spec: ServiceSpec, facts: HostFacts, notes: string[]): ServicePlan {
  const label = launchdLabel(spec.name)
  const user = spec.scope === 'user'
  const domain = user ? `gui/${facts.uid}` : 'system'
  const file = user
    ? join(facts.home, 'Library', 'LaunchAgents', `${label}.plist`)
    : join('/Library/LaunchDaemons', `${label}.plist`)
  notes.push(`secrets (bot tokens, API keys) go in ${spec.dataDir}/.env (chmod 600)`)
  return {
    kind: 'launchd',
    scope: spec.scope,
    file,
    content: renderLaunchdPlist(spec),
    spec,
    enable: [['launchctl', 'bootstrap', domain, file]],
    disable: [['launchctl', 'bootout', `${domain}/${label}`]],
    afterRemove: [],
    restart: [['launchctl', 'kickstart', '-k', `${domain}/${label}`]],
    status: [['launchctl', 'print', `${domain}/${label}`]],
    notes,
  }
}
