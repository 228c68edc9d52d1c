import { defineCommand } from 'citty'
import { InvalidInputError, NotFoundError } from '../../core/errors.ts'
import { withAdmin } from '../admin/use.ts'
import type { GlobalFlags } from '../context.ts'
import { globalArgs, loadFromFlags } from '../context.ts'
import { withExamples } from '../help.ts'
import { formatTable, formatWhen, printJson } from '../output.ts'
import type { InteractiveOptions, LocalSession } from '../session/interactive.ts'
import { runInteractive } from '../session/interactive.ts'
import { containerOps, openLocalSession } from '../session/local.ts'
import { killSessions, listSessions } from '../session/manage.ts'

const RESERVED = ['ls', 'kill', 'resume', 'reset']

/** The runtime (database, log file) and this install's containers, for ls / kill / resume. */
async function openManage(flags: GlobalFlags) {
  const app = await import('../../app.ts')
  const rt = app.createRuntime({ loaded: loadFromFlags(flags), consoleStream: null })
  const containers = containerOps(app.createContainerRuntime(rt), rt.installId)
  const deps = { sessions: rt.repos.sessions, runs: rt.repos.runs, containers, now: () => rt.clock.now() }
  return { deps, rt, close: () => rt.shutdown.run('done') }
}

async function ls(flags: GlobalFlags & { json?: boolean }): Promise<void> {
  const m = await openManage(flags)
  try {
    const listing = await listSessions(m.deps)
    if (flags.json) return printJson(listing)
    const sessions = listing.sessions.map((s) => [
      s.groupFolder,
      s.scope,
      s.sessionId,
      formatWhen(s.updatedAt),
    ])
    process.stdout.write(
      sessions.length
        ? `${formatTable(['GROUP', 'SCOPE', 'SESSION', 'UPDATED'], sessions)}\n`
        : 'no agent sessions yet\n',
    )
    const containers = listing.containers.map((c) => [
      c.name,
      c.group ?? '-',
      c.trigger ?? '-',
      c.state,
      formatWhen(c.startedAt),
    ])
    process.stdout.write(
      containers.length
        ? `\n${formatTable(['CONTAINER', 'GROUP', 'TRIGGER', 'STATE', 'STARTED'], containers)}\n`
        : '\nno running containers\n',
    )
  } finally {
    await m.close()
  }
}

async function kill(flags: GlobalFlags, target: string): Promise<void> {
  const m = await openManage(flags)
  try {
    const r = await killSessions(target, m.deps)
    m.rt.log.info('containers stopped by ngb session kill', {
      component: 'cli',
      target,
      containers: r.stopped,
      runs: r.recorded,
    })
    for (const name of r.stopped) process.stdout.write(`stopped ${name}\n`)
  } finally {
    await m.close()
  }
}

/**
 * `ngb session reset <group>`: forgets the stored agent session, so the next turn starts fresh
 * (the way out of a session the provider keeps rejecting). Through the running serve if there is one.
 */
async function reset(flags: GlobalFlags, folder: string): Promise<void> {
  const cleared = await withAdmin(flags, (admin) => admin.resetSession(folder))
  process.stdout.write(
    cleared
      ? `session of ${folder} cleared: its next turn starts a fresh conversation\n`
      : `${folder} had no stored session\n`,
  )
}

/** `ngb session resume <id>`: the group comes from the sessions table. */
async function resumeTarget(flags: GlobalFlags, sessionId: string): Promise<InteractiveOptions> {
  const m = await openManage(flags)
  try {
    const s = m.rt.repos.sessions.list().find((x) => x.sessionId === sessionId)
    if (!s) throw new NotFoundError(`no session "${sessionId}" (see \`ngb session ls\`)`)
    return { flags, folder: s.groupFolder, resume: sessionId }
  } finally {
    await m.close()
  }
}

export async function interactive(opts: InteractiveOptions): Promise<void> {
  const code = await runInteractive(
    opts,
    (folder): Promise<LocalSession> => openLocalSession(opts.flags, folder),
  )
  process.exitCode = code
}

export default withExamples(
  defineCommand({
    meta: {
      name: 'session',
      description:
        "Chat with a group's agent in one live container; or ls | kill <target> | resume <id> | reset <group>",
    },
    args: {
      ...globalArgs,
      target: {
        type: 'positional',
        required: false,
        description: 'A group folder (default: the main group), or ls, kill, resume, reset',
      },
      id: {
        type: 'positional',
        required: false,
        description: 'For kill: group|session|container; for resume: session; for reset: group',
      },
      resume: { type: 'string', description: 'Continue this agent session', valueHint: 'session' },
      json: { type: 'boolean', description: 'ls: print JSON' },
    },
    async run({ args }) {
      const target = args.target
      if (target === 'ls') return ls(args)
      if (target === 'kill' || target === 'resume' || target === 'reset') {
        if (!args.id) throw new InvalidInputError(`ngb session ${target} needs an argument`)
        if (target === 'kill') return kill(args, args.id)
        if (target === 'reset') return reset(args, args.id)
        return interactive(await resumeTarget(args, args.id))
      }
      if (args.id) throw new InvalidInputError(`unexpected argument "${args.id}"`)
      if (target && RESERVED.includes(target)) throw new InvalidInputError(`"${target}" is a subcommand`)
      return interactive({ flags: args, folder: target, resume: args.resume })
    },
  }),
  [
    'ngb session main                 # chat; Ctrl+C interrupts, /exit leaves',
    'ngb session main --resume <id>   # continue an earlier conversation',
    'ngb session ls                   # sessions and running containers',
    "ngb session kill main            # stop the group's container(s)",
    'ngb session resume <id>',
    'ngb session reset main           # forget a stale agent session',
  ],
)
