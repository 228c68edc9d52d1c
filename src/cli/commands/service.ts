import { defineCommand } from 'citty'
import { dataPaths } from '../../config/paths.ts'
import { InvalidInputError } from '../../core/errors.ts'
import { globalArgs, loadFromFlags } from '../context.ts'
import { withExamples } from '../help.ts'
import { parseLogLine, renderLine } from '../logs/format.ts'
import { tailLog } from '../logs/tail.ts'
import { printJson } from '../output.ts'
import { installService, serviceStatus, uninstallService } from '../service/apply.ts'
import { applyDeps, hostFacts } from '../service/host.ts'
import type { ServicePlan } from '../service/plan.ts'
import { planService } from '../service/plan.ts'

const scopeArgs = {
  ...globalArgs,
  user: { type: 'boolean', description: 'A user service (default when not root)' },
  system: { type: 'boolean', description: 'A system service (default as root)' },
  name: { type: 'string', description: 'Service name', default: 'ngb' },
} as const

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

/** The last lines of ngb's own log (what the service wrote), pretty-printed like `ngb logs`. */
function lastLogLines(dataDir: string, n: number): string[] {
  return tailLog(dataPaths(dataDir).logFile, n, () => true).lines.map((line) =>
    renderLine(line, parseLogLine(line), false, false),
  )
}

const status = withExamples(
  defineCommand({
    meta: {
      name: 'status',
      description: 'Is the service installed, current and running? With its last log lines',
    },
    args: {
      ...scopeArgs,
      json: { type: 'boolean', description: 'Print JSON' },
      lines: { type: 'string', description: 'How many log lines to show', default: '10' },
    },
    async run({ args }) {
      const p = plan(args)
      const s = await serviceStatus(p, applyDeps(p))
      const n = Number(args.lines)
      if (!Number.isInteger(n) || n < 0)
        throw new InvalidInputError(`--lines must be a whole number, got "${args.lines}"`)
      const log = lastLogLines(p.spec.dataDir, n)
      if (args.json) return printJson({ ...s, log })
      const lines = [
        `${s.kind} ${s.scope} service: ${s.file}`,
        `installed: ${s.installed ? (s.current ? 'yes' : 'yes, but differs from what install would write now (install --force updates it)') : 'no'}`,
        ...Object.entries(s.manager ?? {}).map(([k, v]) => `${k}: ${v}`),
        `log: ${dataPaths(p.spec.dataDir).logFile}${log.length === 0 ? ' (empty)' : ''}`,
        ...log.map((l) => `  ${l}`),
      ]
      process.stdout.write(`${lines.join('\n')}\n`)
      if (!s.installed) process.exitCode = 1
    },
  }),
  ['ngb service status --user', 'ngb service status --json', 'ngb service status --lines 50'],
)

export default withExamples(
  defineCommand({
    meta: { name: 'service', description: 'Run ngb serve as a system service (systemd / launchd)' },
    subCommands: { install, uninstall, status },
  }),
  ['ngb service install --user --dry-run', 'ngb service status'],
)
