import { existsSync } from 'node:fs'
import { defineCommand } from 'citty'
import { InvalidInputError } from '../../core/errors.ts'
import { VERSION } from '../../version.ts'
import { globalArgs, loadFromFlags } from '../context.ts'
import { withExamples } from '../help.ts'
import { printJson } from '../output.ts'
import { applyDeps, hostFacts } from '../service/host.ts'
import { isCompiled, planService } from '../service/plan.ts'
import { binaryNameFor, fetchVerified, resolveSource } from '../upgrade/release.ts'
import { installVerified, probeVersion, rollback } from '../upgrade/swap.ts'

/** The binary to replace: this process's own, and only when it is a compiled ngb. */
function installedBinary(): string {
  if (!isCompiled(Bun.main))
    throw new InvalidInputError(
      'ngb upgrade replaces an installed ngb binary; this ngb runs from source (update the checkout instead)',
    )
  return process.execPath
}

/** Restarts the `ngb service` unit(s) that run this data dir, if any is installed and the manager runs. */
async function restartServices(dataDir: string, say: (line: string) => void): Promise<void> {
  for (const scope of ['user', 'system'] as const) {
    let plan: ReturnType<typeof planService>
    try {
      plan = planService(hostFacts(), {
        name: 'ngb',
        user: scope === 'user',
        system: scope === 'system',
        dataDir,
      })
    } catch {
      return // no service manager on this platform: nothing to restart
    }
    if (!existsSync(plan.file)) continue
    const deps = applyDeps(plan)
    if (!deps.managerRunning) {
      say(`the ${scope} service is installed but its manager is not running; restart it yourself`)
      continue
    }
    for (const cmd of plan.restart) {
      const r = await deps.run(cmd)
      say(
        r.code === 0
          ? `restarted the ${scope} service`
          : `could not restart the ${scope} service: ${r.err.trim()}`,
      )
    }
  }
}

export default withExamples(
  defineCommand({
    meta: {
      name: 'upgrade',
      description:
        'Replace this ngb with a newer release, verified by checksum and a smoke run (atomic, with rollback)',
    },
    args: {
      ...globalArgs,
      to: { type: 'string', description: 'Install this version (e.g. 0.3.0) instead of the latest' },
      from: {
        type: 'string',
        description: 'Take the release from a directory, a URL or a binary file with SHA256SUMS beside it',
      },
      base: { type: 'string', description: 'Release base URL (default: the project releases)' },
      check: {
        type: 'boolean',
        description: 'Download and verify only: print the available version, change nothing',
      },
      rollback: { type: 'boolean', description: 'Go back to the binary the last upgrade replaced' },
      json: { type: 'boolean', description: 'Print the result as JSON' },
    },
    async run({ args }) {
      const say = (line: string) => process.stderr.write(`${line}\n`)
      const installed = installedBinary()
      const { config } = loadFromFlags(args)
      if (args.rollback) {
        const r = await rollback(installed)
        if (args.json) printJson({ installed, from: VERSION, to: r.version, rolledBack: true })
        else process.stdout.write(`rolled back ${installed}: ${VERSION} → ${r.version}\n`)
        await restartServices(config.dataDir, say)
        return
      }
      const source = resolveSource({
        from: args.from,
        to: args.to,
        base: args.base,
        binaryName: binaryNameFor(process.platform, process.arch),
      })
      say(`fetching ${source.file} from ${source.location}`)
      const bytes = await fetchVerified(source)
      if (args.check) {
        const available = await probeVersion(installed, bytes)
        if (args.json) printJson({ installed, current: VERSION, available, newer: available !== VERSION })
        else
          process.stdout.write(
            `current ${VERSION}, available ${available}${available === VERSION ? ' (up to date)' : ''}\n`,
          )
        return
      }
      const r = await installVerified(installed, bytes, args.to?.replace(/^v/, ''))
      if (args.json) printJson({ installed, from: VERSION, to: r.version, previous: `${installed}.previous` })
      else
        process.stdout.write(
          `upgraded ${installed}: ${VERSION} → ${r.version} (previous kept; \`ngb upgrade --rollback\` goes back)\n`,
        )
      await restartServices(config.dataDir, say)
    },
  }),
  [
    'ngb upgrade --check                 # is there a newer release?',
    'ngb upgrade                         # the latest release, verified',
    'ngb upgrade --to 0.3.0',
    'ngb upgrade --from ./dist           # a local release directory (offline)',
    'ngb upgrade --rollback',
  ],
)
