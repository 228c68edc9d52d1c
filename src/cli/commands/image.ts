import { defineCommand } from 'citty'
import { buildProductionImage } from '../../image/prod-image.ts'
import { buildTestImage } from '../../image/test-image.ts'
import { globalArgs, loadFromFlags } from '../context.ts'
import { withExamples } from '../help.ts'
import { printJson } from '../output.ts'

const build = defineCommand({
  meta: {
    name: 'build',
    description: 'Build the agent image (--test: the offline mock image ngb-agent:test, no registry needed)',
  },
  args: {
    ...globalArgs,
    test: { type: 'boolean', description: 'Assemble ngb-agent:test locally from a rootfs (no registry)' },
    tag: {
      type: 'string',
      description: 'Image tag (default ngb-agent:latest, or ngb-agent:test with --test)',
    },
    force: { type: 'boolean', description: 'Rebuild even when an identical test image exists' },
    json: { type: 'boolean', description: 'Print the result as JSON' },
  },
  async run({ args }) {
    const { config } = loadFromFlags(args)
    if (args.test) {
      const r = await buildTestImage({ cli: config.containerCli, tag: args.tag, force: args.force })
      if (args.json) printJson(r)
      else
        process.stdout.write(
          `${r.tag} ${r.cached ? 'is up to date' : 'built'} (content ${r.hash}, ${Math.round(r.ms)} ms)\n`,
        )
      return
    }
    const r = await buildProductionImage({ cli: config.containerCli, tag: args.tag })
    if (args.json) printJson(r)
    else process.stdout.write(`${r.tag} built (${Math.round(r.ms)} ms)\n`)
  },
})

const command = defineCommand({
  meta: { name: 'image', description: 'Manage the agent container image' },
  subCommands: { build },
})

withExamples(build, ['ngb image build', 'ngb image build --test   # the offline mock agent image'])
withExamples(command, ['ngb image build --test'])

export default command
