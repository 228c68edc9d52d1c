import { defineCommand } from 'citty'
import { globalArgs } from '../context.ts'
import { withExamples } from '../help.ts'
import { interactive } from './session.ts'

/** The predecessor's name for `ngb session <group>`; kept because people type it. */
export default withExamples(
  defineCommand({
    meta: { name: 'shell', description: 'Alias of `ngb session <group>`: chat with a group agent' },
    args: {
      ...globalArgs,
      group: {
        type: 'string',
        alias: 'g',
        description: 'Group folder (default: the main group)',
        valueHint: 'folder',
      },
      resume: { type: 'string', description: 'Continue this agent session', valueHint: 'session' },
    },
    run: ({ args }) => interactive({ flags: args, folder: args.group, resume: args.resume }),
  }),
  ['ngb shell', 'ngb shell -g family'],
)
