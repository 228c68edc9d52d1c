import { defineCommand } from 'citty'
import { withAdmin } from '../admin/use.ts'
import { globalArgs } from '../context.ts'
import { withExamples } from '../help.ts'
import { clip, formatTable, formatWhen, note, printJson } from '../output.ts'

const ls = withExamples(
  defineCommand({
    meta: { name: 'ls', description: 'List chats ngb has seen, with the group each is bound to' },
    args: {
      ...globalArgs,
      unbound: { type: 'boolean', description: 'Only chats bound to no group' },
      json: { type: 'boolean', description: 'Print JSON' },
    },
    async run({ args }) {
      const chats = await withAdmin(args, (a) => a.listChats({ unboundOnly: args.unbound }))
      if (args.json) return printJson(chats)
      if (chats.length === 0) return note(args.unbound ? 'no unbound chats' : 'no chats yet')
      const rows = chats.map((c) => [
        c.jid,
        clip(c.name ?? '', 30) || '-',
        c.isGroup ? 'group' : 'direct',
        c.groupFolder ?? '-',
        formatWhen(c.lastMessageAt),
      ])
      process.stdout.write(`${formatTable(['JID', 'NAME', 'KIND', 'GROUP', 'LAST MESSAGE'], rows)}\n`)
      if (!args.unbound && chats.some((c) => !c.groupFolder))
        note('bind one with `ngb groups bind <folder> <jid>`')
    },
  }),
  ['ngb chats ls', 'ngb chats ls --unbound --json'],
)

export default withExamples(
  defineCommand({
    meta: { name: 'chats', description: 'Chats seen on the connected platforms' },
    subCommands: { ls },
  }),
  ['ngb chats ls --unbound'],
)
