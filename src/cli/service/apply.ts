import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { ConflictError, NgbError, NotFoundError } from '../../core/errors.ts'
import type { ServicePlan } from './plan.ts'

export interface CommandResult {
  code: number
  out: string
  err: string
}

export interface ApplyDeps {
  /** Runs systemctl / launchctl. */
  run(cmd: string[]): Promise<CommandResult>
  /** Is the service manager up (systemd as PID 1, or macOS)? If not, steps are printed, not run. */
  managerRunning: boolean
  /** Progress and advice, one line each (stderr). */
  say(line: string): void
}

function describeFsError(error: unknown, file: string, action: string): NgbError {
  const code = (error as { code?: string }).code
  if (code === 'EACCES' || code === 'EPERM')
    return new NgbError(
      'forbidden',
      `cannot ${action} ${file}: permission denied (use sudo for a system service, or --user)`,
      { cause: error },
    )
  return new NgbError('invalid_input', `cannot ${action} ${file}: ${(error as Error).message}`, {
    cause: error,
  })
}

async function runSteps(steps: string[][], deps: ApplyDeps): Promise<void> {
  for (const cmd of steps) {
    const r = await deps.run(cmd)
    if (r.code !== 0) {
      const reason = (r.err || r.out).trim().split('\n')[0] || `exit ${r.code}`
      throw new NgbError('invalid_input', `\`${cmd.join(' ')}\` failed: ${reason}`)
    }
    deps.say(`ran: ${cmd.join(' ')}`)
  }
}

export type InstallResult = 'written' | 'unchanged'

/** Writes the unit (atomically), refusing to replace a different one without `force`, then enables it. */
export async function installService(
  plan: ServicePlan,
  opts: { force?: boolean },
  deps: ApplyDeps,
): Promise<InstallResult> {
  const existing = existsSync(plan.file) ? readFileSync(plan.file, 'utf8') : undefined
  if (existing !== undefined && existing !== plan.content && !opts.force)
    throw new ConflictError(`${plan.file} already exists with other content; use --force to replace it`)
  const result: InstallResult = existing === plan.content ? 'unchanged' : 'written'
  if (result === 'written') {
    try {
      mkdirSync(dirname(plan.file), { recursive: true })
      writeFileSync(`${plan.file}.tmp`, plan.content, { mode: 0o644 })
      renameSync(`${plan.file}.tmp`, plan.file)
    } catch (error) {
      rmSync(`${plan.file}.tmp`, { force: true })
      throw describeFsError(error, plan.file, 'write')
    }
  }
  deps.say(result === 'written' ? `wrote ${plan.file}` : `${plan.file} is already up to date`)
  if (deps.managerRunning) await runSteps(plan.enable, deps)
  else {
    deps.say(`${plan.kind} is not running here (not PID 1); to start the service, run:`)
    for (const cmd of plan.enable) deps.say(`  ${cmd.join(' ')}`)
  }
  for (const note of plan.notes) deps.say(`note: ${note}`)
  return result
}

export async function uninstallService(plan: ServicePlan, deps: ApplyDeps): Promise<void> {
  if (!existsSync(plan.file)) throw new NotFoundError(`no service installed at ${plan.file}`)
  if (deps.managerRunning) await runSteps(plan.disable, deps)
  try {
    rmSync(plan.file)
  } catch (error) {
    throw describeFsError(error, plan.file, 'remove')
  }
  deps.say(`removed ${plan.file}`)
  if (deps.managerRunning) await runSteps(plan.afterRemove, deps)
  else {
    deps.say(`${plan.kind} is not running here; if the service was started elsewhere, run:`)
    for (const cmd of [...plan.disable, ...plan.afterRemove]) deps.say(`  ${cmd.join(' ')}`)
  }
}

export interface ServiceStatus {
  kind: ServicePlan['kind']
  scope: ServicePlan['scope']
  file: string
  installed: boolean
  /** The file on disk is what `install` would write now. */
  current: boolean
  /** From the service manager, when it runs: e.g. enabled/disabled, active/inactive. */
  manager?: Record<string, string>
}

export async function serviceStatus(plan: ServicePlan, deps: ApplyDeps): Promise<ServiceStatus> {
  const installed = existsSync(plan.file)
  const status: ServiceStatus = {
    kind: plan.kind,
    scope: plan.scope,
    file: plan.file,
    installed,
    current: installed && readFileSync(plan.file, 'utf8') === plan.content,
  }
  if (deps.managerRunning && installed) {
    status.manager = {}
    for (const cmd of plan.status) {
      const r = await deps.run(cmd)
      // is-enabled/is-active print the state and exit non-zero for "disabled"/"inactive": both are answers.
      status.manager[cmd.at(-2) ?? cmd.join(' ')] = (r.out || r.err).trim().split('\n')[0] ?? ''
    }
  }
  return status
}
