import { defineCommand } from 'citty'
import { globalArgs, loadFromFlags } from '../context.ts'
import { withExamples } from '../help.ts'
import { clip, formatTable, note, printJson } from '../output.ts'
import { connectPluginsAdmin, type PluginsAdmin } from '../plugins-admin.ts'

async function withPlugins<T>(
  args: Parameters<typeof loadFromFlags>[0],
  fn: (a: PluginsAdmin) => Promise<T>,
) {
  const admin = await connectPluginsAdmin(loadFromFlags(args))
  if (args.debug) note(`(via ${admin.via})`)
  try {
    return await fn(admin)
  } finally {
    admin.close()
  }
}

const ls = withExamples(
  defineCommand({
    meta: { name: 'ls', description: 'List plugins: built-ins and plugin files, with state and errors' },
    args: { ...globalArgs, json: { type: 'boolean', description: 'Print JSON' } },
    async run({ args }) {
      const list = await withPlugins(args, (a) => a.list())
      if (args.json) return printJson(list)
      const rows = list.map((p) => [
        p.name,
        p.source === 'file' ? `file ${p.file?.replace(/^.*[\\/]/, '') ?? ''}` : p.source,
        !p.loaded ? 'not loaded' : p.running ? 'running' : 'disabled',
        String(p.errors),
        clip(p.lastError ?? '', 60) || '-',
      ])
      process.stdout.write(`${formatTable(['NAME', 'SOURCE', 'STATE', 'ERRORS', 'LAST ERROR'], rows)}\n`)
    },
  }),
  ['ngb plugins ls', 'ngb plugins ls --json'],
)

function toggle(enabled: boolean) {
  const verb = enabled ? 'enable' : 'disable'
  return withExamples(
    defineCommand({
      meta: {
        name: verb,
        description: `${enabled ? 'Enable' : 'Disable'} a plugin (applies at once under ngb serve)`,
      },
      args: { ...globalArgs, name: { type: 'positional', required: true, description: 'Plugin name' } },
      async run({ args }) {
        const p = await withPlugins(args, (a) => a.setEnabled(args.name, enabled))
        process.stdout.write(
          `${p.name} ${enabled ? 'enabled' : 'disabled'}${p.running ? ' (running)' : ''}\n`,
        )
      },
    }),
    [`ngb plugins ${verb} rate-limiter`],
  )
}

export default withExamples(
  defineCommand({
    meta: { name: 'plugins', description: 'Plugins: list, enable, disable' },
    subCommands: { ls, enable: toggle(true), disable: toggle(false) },
  }),
  ['ngb plugins ls', 'ngb plugins enable auto-reply'],
)
