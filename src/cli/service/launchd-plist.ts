import { join } from 'node:path'
import type { ServiceSpec } from './systemd-unit.ts'

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

export function launchdLabel(name: string): string {
  return `dev.nanogridbot.${name}`
}

/**
 * A LaunchAgent (user) or LaunchDaemon (system) for `ngb serve`. launchd has no EnvironmentFile:
 * secrets go in `<data dir>/.env`, which ngb reads itself. KeepAlive/SuccessfulExit=false restarts
 * the daemon only when it fails, like systemd's Restart=on-failure.
 */
export function renderLaunchdPlist(spec: ServiceSpec): string {
  const str = (s: string) => `<string>${xml(s)}</string>`
  const env = Object.entries(spec.env)
    .map(([k, v]) => `      <key>${xml(k)}</key>\n      ${str(v)}`)
    .join('\n')
  const logs = join(spec.dataDir, 'logs')
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
  <dict>
    <key>Label</key>
    ${str(launchdLabel(spec.name))}
    <key>ProgramArguments</key>
    <array>
${spec.exec.map((a) => `      ${str(a)}`).join('\n')}
    </array>
    <key>WorkingDirectory</key>
    ${str(spec.workingDir)}
    <key>EnvironmentVariables</key>
    <dict>
${env}
    </dict>
${spec.scope === 'system' && spec.runAs ? `    <key>UserName</key>\n    ${str(spec.runAs)}\n` : ''}    <key>RunAtLoad</key>
    <true/>
    <key>KeepAlive</key>
    <dict>
      <key>SuccessfulExit</key>
      <false/>
    </dict>
    <key>ThrottleInterval</key>
    <integer>5</integer>
    <key>StandardOutPath</key>
    ${str(join(logs, 'launchd.out.log'))}
    <key>StandardErrorPath</key>
    ${str(join(logs, 'launchd.err.log'))}
  </dict>
</plist>
`
}
