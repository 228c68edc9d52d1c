import { defineCommand } from 'citty'
import { describeConfig } from '../../config/load.ts'
import { globalArgs, loadFromFlags } from '../context.ts'
import { withExamples } from '../help.ts'
import { formatTable, printJson } from '../output.ts'

const show = withExamples(
  defineCommand({
    meta: {
      name: 'show',
      description: 'Print the effective configuration (secrets masked) and where each value came from',
    },
    args: { ...globalArgs, json: { type: 'boolean', description: 'Print JSON' } },
    run({ args }) {
      const loaded = loadFromFlags(args)
      const rows = describeConfig(loaded)
      if (args.json) return printJson(rows)
      process.stdout.write(
        `${formatTable(
          ['SETTING', 'VALUE', 'SOURCE'],
          rows.map((r) => [r.env, r.value, r.source]),
        )}\n`,
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
