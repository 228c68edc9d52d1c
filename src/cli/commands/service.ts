import { existsSync, readFileSync } from 'node:fs'
import { homedir, tmpdir, userInfo } from 'node:os'
import { defineCommand } from 'citty'
import { globalArgs, loadFromFlags } from '../context.ts'
import { withExamples } from '../help.ts'
import { printJson } from '../output.ts'
import type { ApplyDeps, CommandResult } from '../service/apply.ts'
import { installService, serviceStatus, uninstallService } from '../service/apply.ts'
import type { HostFacts, ServicePlan } from '../service/plan.ts'
import { planService } from '../service/plan.ts'

const scopeArgs = {
  ...globalArgs,
  user: { type: 'boolean', description: 'A user service (default when not root)' },
  system: { type: 'boolean', description: 'A system service (default as root)' },
  name: { type: 'string', description: 'Service name', default: 'ngb' },
} as const

/** Bun's userInfo() can answer "unknown" (e.g. for root in containers); /etc/passwd knows. */
function username(uid: number): string {
  if (existsSync('/etc/passwd')) {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , id] = line.split(':')
      if (name && id === String(uid)) return name
    }
  }
  return process.env.USER || process.env.LOGNAME || userInfo().username
}

function hostFacts(): HostFacts {
  const uid = process.getuid?.() ?? -1
  return {
    platform: process.platform,
    env: process.env,
    uid,
    username: username(uid),
    home: process.env.HOME || homedir(),
    execPath: process.execPath,
    mainPath: Bun.main,
    tmpDir: tmpdir(),
    hasDockerGroup: existsSync('/etc/group') && /^docker:/m.test(readFileSync('/etc/group', 'utf8')),
  }
}

async function runTool(cmd: string[]): Promise<CommandResult> {
  try {
    const proc = Bun.spawn(cmd, { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ])
    return { code, out, err }
  } catch (error) {
    return { code: 127, out: '', err: error instanceof Error ? error.message : String(error) }
  }
}

function applyDeps(plan: ServicePlan): ApplyDeps {
  // sd_booted(): systemd is the init system when this directory exists. launchd always runs on macOS.
  const managerRunning = plan.kind === 'launchd' || existsSync('/run/systemd/system')
  return { run: runTool, managerRunning, say: (line) => process.stderr.write(`${line}\n`) }
}

interface ScopeFlags {
  user?: boolean
  system?: boolean
  name: string
  'run-as'?: string
  config?: string
  'data-dir'?: string
  debug?: boolean
}

function plan(args: ScopeFlags): ServicePlan {
  const { config } = loadFromFlags(args)
  return planService(hostFacts(), {
    name: args.name,
    user: args.user,
    system: args.system,
    runAs: args['run-as'],
    dataDir: config.dataDir,
    configFile: args.config ?? process.env.NGB_CONFIG,
  })
}

const install = withExamples(
  defineCommand({
    meta: {
      name: 'install',
      description: 'Install `ngb serve` as a systemd unit (Linux) or launchd job (macOS) and start it',
    },
    args: {
      ...scopeArgs,
      'run-as': { type: 'string', description: 'System services: the account to run as (default: you)' },
      'dry-run': { type: 'boolean', description: 'Print the unit on stdout and the steps; write nothing' },
      force: { type: 'boolean', description: 'Replace an existing, different unit' },
    },
    async run({ args }) {
      const p = plan(args)
      process.stdout.write(p.content)
      if (args['dry-run']) {
        process.stderr.write(`dry run: would write ${p.file}, then run:\n`)
        for (const cmd of p.enable) process.stderr.write(`  ${cmd.join(' ')}\n`)
        for (const note of p.notes) process.stderr.write(`note: ${note}\n`)
        return
      }
      await installService(p, { force: args.force }, applyDeps(p))
    },
  }),
  [
    'ngb service install --user --dry-run   # show the unit, change nothing',
    'ngb service install --user             # ~/.config/systemd/user/ngb.service, enabled and started',
    'sudo ngb service install --run-as ngb --data-dir /var/lib/ngb',
  ],
)

const uninstall = withExamples(
  defineCommand({
    meta: { name: 'uninstall', description: 'Stop and disable the service and remove its unit file' },
    args: {
      ...scopeArgs,
      'dry-run': { type: 'boolean', description: 'Print what would be done; change nothing' },
    },
    async run({ args }) {
      const p = plan(args)
      if (args['dry-run']) {
        process.stderr.write(`dry run: would run, remove ${p.file}, then run:\n`)
        for (const cmd of [...p.disable, ...p.afterRemove]) process.stderr.write(`  ${cmd.join(' ')}\n`)
        return
      }
      await uninstallService(p, applyDeps(p))
    },
  }),
  ['ngb service uninstall --user'],
)

const status = withExamples(
  defineCommand({
    meta: { name: 'status', description: 'Is the service installed, current and running?' },
    args: { ...scopeArgs, json: { type: 'boolean', description: 'Print JSON' } },
    async run({ args }) {
      const p = plan(args)
      const s = await serviceStatus(p, applyDeps(p))
      if (args.json) return printJson(s)
      const lines = [
        `${s.kind} ${s.scope} service: ${s.file}`,
        `installed: ${s.installed ? (s.current ? 'yes' : 'yes, but differs from what install would write now (install --force updates it)') : 'no'}`,
        ...Object.entries(s.manager ?? {}).map(([k, v]) => `${k}: ${v}`),
      ]
      process.stdout.write(`${lines.join('\n')}\n`)
      if (!s.installed) process.exitCode = 1
    },
  }),
  ['ngb service status --user', 'ngb service status --json'],
)

export default withExamples(
  defineCommand({
    meta: { name: 'service', description: 'Run ngb serve as a system service (systemd / launchd)' },
    subCommands: { install, uninstall, status },
  }),
  ['ngb service install --user --dry-run', 'ngb service status'],
)
