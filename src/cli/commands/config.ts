import { defineCommand } from 'citty'
import { PLATFORMS, platformState } from '../../channels/platforms.ts'
import { describeConfig, type LoadedConfig } from '../../config/load.ts'
import { SETTINGS } from '../../config/sources.ts'
import { globalArgs, loadFromFlags } from '../context.ts'
import { withExamples } from '../help.ts'
import { formatTable, printJson } from '../output.ts'

/** Every setting, tagged with the platform row that owns it (so `jq` can pick one platform's keys). */
function settingRows(loaded: LoadedConfig) {
  return describeConfig(loaded).map((r) => {
    const platform = PLATFORMS.find((p) => p.configKeys.includes(r.key))?.name
    return platform ? { ...r, platform } : r
  })
}

/** One line per platform row: whether `ngb serve` will start it, and which variables it reads. */
function platformTable(loaded: LoadedConfig): string {
  return formatTable(
    ['PLATFORM', 'STATE', 'SETTINGS'],
    PLATFORMS.map((p) => {
      const s = platformState(p, loaded.config)
      const state = s.state === 'incomplete' ? `incomplete (missing ${s.missing.join(', ')})` : s.state
      return [p.name, state, p.configKeys.map((k) => SETTINGS[k].env).join(', ')]
    }),
  )
}

const show = withExamples(
  defineCommand({
    meta: {
      name: 'show',
      description: 'Print the effective configuration (secrets masked) and where each value came from',
    },
    args: { ...globalArgs, json: { type: 'boolean', description: 'Print JSON' } },
    run({ args }) {
      const loaded = loadFromFlags(args)
      const rows = settingRows(loaded)
      if (args.json) return printJson(rows)
      process.stdout.write(
        `${formatTable(
          ['SETTING', 'VALUE', 'SOURCE'],
          rows.map((r) => [r.env, r.value, r.source]),
        )}\n\n${platformTable(loaded)}\n`,
      )
    },
  }),
  ['ngb config show', 'ngb config show --json | jq \'.[] | select(.source != "default")\''],
)

export default withExamples(
  defineCommand({
    meta: { name: 'config', description: 'Inspect the configuration' },
    subCommands: { show },
  }),
  ['ngb config show', 'ngb config show --json'],
)
