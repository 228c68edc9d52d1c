import { existsSync, readFileSync } from 'node:fs'
import { homedir, tmpdir, userInfo } from 'node:os'
import type { ApplyDeps, CommandResult } from './apply.ts'
import type { HostFacts, ServicePlan } from './plan.ts'

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

export function hostFacts(): HostFacts {
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

export async function runTool(cmd: string[]): Promise<CommandResult> {
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

export function applyDeps(plan: ServicePlan): ApplyDeps {
  // sd_booted(): systemd is the init system when this directory exists. launchd always runs on macOS.
  const managerRunning = plan.kind === 'launchd' || existsSync('/run/systemd/system')
  return { run: runTool, managerRunning, say: (line) => process.stderr.write(`${line}\n`) }
}
