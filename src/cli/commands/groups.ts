import { defineCommand } from 'citty'
import { formatMountSpec, parseMountSpec } from '../../core/container/mount-spec.ts'
import { InvalidInputError } from '../../core/errors.ts'
import { parseJid } from '../../core/jid.ts'
import { parseInterval } from '../../core/scheduler/next-run.ts'
import type { Group, GroupSettings, NetworkMode, TriggerMode } from '../../core/types.ts'
import { withAdmin } from '../admin/use.ts'
import { globalArgs } from '../context.ts'
import { withExamples } from '../help.ts'
import { formatTable, formatWhen, note, printJson } from '../output.ts'
import { budgetFromFlags, describeBudget } from './budget-flags.ts'

const TRIGGERS: readonly string[] = ['always', 'mention', 'pattern']
const NETWORKS: readonly string[] = ['bridge', 'none', 'host']
const PROVIDERS: readonly string[] = ['claude', 'mock']

function pick<T extends string>(
  value: string | undefined,
  allowed: readonly string[],
  flag: string,
): T | undefined {
  if (value === undefined) return undefined
  if (!allowed.includes(value))
    throw new InvalidInputError(`${flag} must be one of ${allowed.join(', ')}, not "${value}"`)
  return value as T
}

const ls = withExamples(
  defineCommand({
    meta: { name: 'ls', description: 'List groups with their trigger and bound chats' },
    args: { ...globalArgs, json: { type: 'boolean', description: 'Print JSON' } },
    async run({ args }) {
      const groups = await withAdmin(args, (a) => a.listGroups())
      if (args.json) return printJson(groups)
      if (groups.length === 0) return note('no groups yet; create one with `ngb groups add <folder>`')
      const rows = groups.map((g) => [
        g.folder,
        g.name,
        g.isMain ? 'yes' : '',
        g.triggerMode === 'pattern' ? `pattern ${g.triggerPattern ?? ''}` : g.triggerMode,
        g.chats.join(', ') || '-',
        formatWhen(g.createdAt),
      ])
      process.stdout.write(
        `${formatTable(['FOLDER', 'NAME', 'MAIN', 'TRIGGER', 'CHATS', 'CREATED'], rows)}\n`,
      )
    },
  }),
  ['ngb groups ls', 'ngb groups ls --json'],
)

const add = withExamples(
  defineCommand({
    meta: {
      name: 'add',
      description: 'Create a group (the first one is the main, admin group)',
    },
    args: {
      ...globalArgs,
      folder: { type: 'positional', description: 'Folder: 1-64 of a-z, 0-9 and -', required: true },
      name: { type: 'string', description: 'Display name (default: the folder)' },
      trigger: { type: 'string', description: 'always, mention or pattern', valueHint: 'mode' },
      pattern: { type: 'string', description: 'Regex for --trigger pattern', valueHint: 'regex' },
      network: { type: 'string', description: 'Container network: bridge, none or host', valueHint: 'mode' },
      provider: { type: 'string', description: 'Agent: claude or mock (offline demo)', valueHint: 'name' },
      json: { type: 'boolean', description: 'Print the created group as JSON' },
    },
    async run({ args }) {
      const settings: GroupSettings = {}
      const network = pick<NetworkMode>(args.network, NETWORKS, '--network')
      if (network) settings.network = network
      const provider = pick<'claude' | 'mock'>(args.provider, PROVIDERS, '--provider')
      if (provider) settings.provider = provider
      const group = await withAdmin(args, (a) =>
        a.addGroup({
          folder: args.folder,
          name: args.name,
          triggerMode: pick<TriggerMode>(args.trigger, TRIGGERS, '--trigger'),
          triggerPattern: args.pattern,
          settings: Object.keys(settings).length ? settings : undefined,
        }),
      )
      if (args.json) return printJson(group)
      process.stdout.write(
        `created group ${group.folder}${group.isMain ? ' (main)' : ''}, trigger ${group.triggerMode}\n`,
      )
      note(`bind a chat: ngb groups bind ${group.folder} <jid>, or ngb groups token ${group.folder}`)
    },
  }),
  [
    'ngb groups add main                         # the first group is the admin group',
    'ngb groups add family --name "Family chat"  # answers when mentioned',
    "ngb groups add ops --trigger pattern --pattern '^!ops\\b'",
  ],
)

const rm = withExamples(
  defineCommand({
    meta: { name: 'rm', description: 'Remove a group and its bindings (its folder on disk is kept)' },
    args: {
      ...globalArgs,
      folder: { type: 'positional', description: 'Group folder', required: true },
      force: { type: 'boolean', description: 'Also remove the main group' },
    },
    async run({ args }) {
      await withAdmin(args, (a) => a.removeGroup(args.folder, { force: args.force }))
      process.stdout.write(`removed group ${args.folder}\n`)
    },
  }),
  ['ngb groups rm family'],
)

const bind = withExamples(
  defineCommand({
    meta: { name: 'bind', description: "Bind a chat to a group (the chat's messages go to that agent)" },
    args: {
      ...globalArgs,
      folder: { type: 'positional', description: 'Group folder', required: true },
      jid: {
        type: 'positional',
        description: 'Chat id, <platform>:<id> or <platform>:<kind>:<id>',
        required: true,
      },
      move: { type: 'boolean', description: 'Move the chat if another group has it' },
    },
    async run({ args }) {
      parseJid(args.jid) // the same message whether the server or the database answers
      await withAdmin(args, (a) => a.bind(args.folder, args.jid, { move: args.move }))
      process.stdout.write(`bound ${args.jid} to ${args.folder}\n`)
    },
  }),
  ['ngb groups bind family telegram:group:-100123456', 'ngb groups bind main slack:channel:C0123 --move'],
)

const unbind = withExamples(
  defineCommand({
    meta: { name: 'unbind', description: 'Unbind a chat from its group' },
    args: { ...globalArgs, jid: { type: 'positional', description: 'Chat id', required: true } },
    async run({ args }) {
      parseJid(args.jid)
      const removed = await withAdmin(args, (a) => a.unbind(args.jid))
      if (!removed) {
        note(`${args.jid} was not bound to any group`)
        process.exitCode = 1
        return
      }
      process.stdout.write(`unbound ${args.jid}\n`)
    },
  }),
  ['ngb groups unbind telegram:group:-100123456'],
)

const token = withExamples(
  defineCommand({
    meta: {
      name: 'token',
      description: 'Create a one-time token; sending it in a chat binds that chat to the group',
    },
    args: {
      ...globalArgs,
      folder: { type: 'positional', description: 'Group folder', required: true },
      ttl: { type: 'string', description: 'Lifetime, e.g. 15m, 2h (default 15m)', valueHint: 'duration' },
      json: { type: 'boolean', description: 'Print JSON' },
    },
    async run({ args }) {
      const ttlMs = args.ttl === undefined ? undefined : parseInterval(args.ttl)
      const t = await withAdmin(args, (a) => a.createBindToken(args.folder, ttlMs))
      if (args.json) return printJson(t)
      process.stdout.write(`${t.token}\n`)
      note(`send it in the chat to bind; valid until ${formatWhen(t.expiresAt)}, once`)
    },
  }),
  ['ngb groups token family', 'ngb groups token family --ttl 2h'],
)

/** Every `--mount X` / `--mount=X`, in order: citty keeps only the last of a repeated string flag. */
export function mountFlags(rawArgs: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i] ?? ''
    if (arg === '--') break
    if (arg.startsWith('--mount=')) out.push(arg.slice('--mount='.length))
    else if (arg === '--mount') {
      const next = rawArgs[i + 1]
      if (next === undefined) throw new InvalidInputError('--mount needs host:container[:ro]', 'mount')
      out.push(next)
      i++
    }
  }
  return out
}

const set = withExamples(
  defineCommand({
    meta: { name: 'set', description: "Change a group's settings: its extra mounts and its budget" },
    args: {
      ...globalArgs,
      folder: { type: 'positional', description: 'Group folder', required: true },
      mount: {
        type: 'string',
        description: 'host:container[:ro], under /workspace/extra (repeatable; replaces the list)',
        valueHint: 'spec',
      },
      'clear-mounts': { type: 'boolean', description: 'Remove every extra mount' },
      'budget-daily': {
        type: 'string',
        description: 'Daily budget in USD (off removes it)',
        valueHint: 'usd',
      },
      'budget-monthly': { type: 'string', description: 'Monthly budget in USD', valueHint: 'usd' },
      'budget-daily-tokens': { type: 'string', description: 'Daily budget in tokens', valueHint: 'n' },
      'budget-monthly-tokens': { type: 'string', description: 'Monthly budget in tokens', valueHint: 'n' },
      'budget-policy': {
        type: 'string',
        description: 'Over budget: hold (answer later) or drop (do not answer)',
        valueHint: 'hold|drop',
      },
      'clear-budget': { type: 'boolean', description: 'Remove the group budget' },
    },
    async run({ args, rawArgs }) {
      const specs = mountFlags(rawArgs)
      const budget = budgetFromFlags(args, undefined)
      if (specs.length === 0 && !args['clear-mounts'] && budget === 'unchanged' && !args['clear-budget'])
        throw new InvalidInputError(
          'nothing to set: give --mount host:container[:ro], --clear-mounts, --budget-daily <usd> (or another --budget-* flag) or --clear-budget',
        )
      if (specs.length > 0 && args['clear-mounts'])
        throw new InvalidInputError('--mount and --clear-mounts do not go together')
      let group: Group | undefined
      if (specs.length > 0 || args['clear-mounts']) {
        const mounts = specs.map(parseMountSpec)
        group = await withAdmin(args, (a) => a.setExtraMounts(args.folder, mounts))
        const saved = group.settings.extraMounts ?? []
        if (saved.length === 0) process.stdout.write(`${group.folder}: no extra mounts\n`)
        else {
          process.stdout.write(`${group.folder}: extra mounts\n`)
          for (const m of saved) process.stdout.write(`  ${formatMountSpec(m)}\n`)
          note('each is checked again against the mount allowlist at every run')
        }
      }
      if (budget !== 'unchanged' || args['clear-budget']) {
        group = await withAdmin(args, async (a) => {
          const current = (await a.listGroups()).find((g) => g.folder === args.folder)
          const next = budgetFromFlags(args, current?.settings.budget)
          return a.setBudget(args.folder, next === 'unchanged' ? current?.settings.budget : next)
        })
        process.stdout.write(`${group.folder}: ${describeBudget(group.settings.budget)}\n`)
      }
    },
  }),
  [
    'ngb groups set main --mount ~/projects/app:app --mount ~/notes:notes:ro',
    'ngb groups set main --clear-mounts',
    'ngb groups set family --budget-daily 5 --budget-monthly 50',
    'ngb groups set family --budget-daily-tokens 2000000 --budget-policy drop',
    'ngb groups set family --budget-daily off',
  ],
)

export default withExamples(
  defineCommand({
    meta: { name: 'groups', description: 'Manage groups (agent workspaces) and chat bindings' },
    subCommands: { ls, add, rm, bind, unbind, token, set },
  }),
  ['ngb groups add main', 'ngb groups bind main telegram:12345', 'ngb groups ls --json'],
)
