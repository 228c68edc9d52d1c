import { defineCommand } from 'citty'
import { dataPaths } from '../../config/paths.ts'
import type { Config } from '../../config/schema.ts'
import { InvalidInputError, NotFoundError } from '../../core/errors.ts'
import { openDatabase } from '../../db/open.ts'
import { createRepos } from '../../db/repos/index.ts'
import { createLogger, createRotatingFileSink } from '../../util/log.ts'
import type { GlobalFlags } from '../context.ts'
import { globalArgs, loadFromFlags } from '../context.ts'
import { withExamples } from '../help.ts'
import { formatTable, formatWhen, printJson } from '../output.ts'
import type { InteractiveOptions, LocalSession } from '../session/interactive.ts'
import { runInteractive } from '../session/interactive.ts'
import { containerOps, openLocalSession } from '../session/local.ts'
import type { ContainerOps } from '../session/manage.ts'
import { killSessions, listSessions } from '../session/manage.ts'

const RESERVED = ['ls', 'kill', 'resume']

/** The database and this install's containers, without the rest of the runtime (fast `ls`). */
function openManage(config: Config) {
  const paths = dataPaths(config.dataDir)
  const db = openDatabase(paths.db)
  const repos = createRepos(db)
  const installId = repos.meta.getOrCreate('install_id', () => crypto.randomUUID().slice(0, 8))
  const containers: ContainerOps = containerOps(config, installId)
  const deps = { sessions: repos.sessions, runs: repos.runs, containers, now: () => Date.now() }
  return { deps, repos, paths, close: () => db.close() }
}

async function ls(flags: GlobalFlags & { json?: boolean }): Promise<void> {
  const m = openManage(loadFromFlags(flags).config)
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
    m.close()
  }
}

async function kill(flags: GlobalFlags, target: string): Promise<void> {
  const { config } = loadFromFlags(flags)
  const m = openManage(config)
  try {
    const r = await killSessions(target, m.deps)
    const log = createLogger({
      level: 'info',
      sinks: [
        createRotatingFileSink({
          path: m.paths.logFile,
          maxBytes: config.logMaxBytes,
          maxFiles: config.logMaxFiles,
        }),
      ],
    })
    log.info('containers stopped by ngb session kill', {
      component: 'cli',
      target,
      containers: r.stopped,
      runs: r.recorded,
    })
    for (const name of r.stopped) process.stdout.write(`stopped ${name}\n`)
  } finally {
    m.close()
  }
}

/** `ngb session resume <id>`: the group comes from the sessions table. */
function resumeTarget(flags: GlobalFlags, sessionId: string): InteractiveOptions {
  const m = openManage(loadFromFlags(flags).config)
  try {
    const s = m.repos.sessions.list().find((x) => x.sessionId === sessionId)
    if (!s) throw new NotFoundError(`no session "${sessionId}" (see \`ngb session ls\`)`)
    return { flags, folder: s.groupFolder, resume: sessionId }
  } finally {
    m.close()
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
      description: "Chat with a group's agent in one live container; or ls | kill <target> | resume <id>",
    },
    args: {
      ...globalArgs,
      target: {
        type: 'positional',
        required: false,
        description: 'A group folder (default: the main group), or ls, kill, resume',
      },
      id: {
        type: 'positional',
        required: false,
        description: 'For kill: group|session|container; for resume: session',
      },
      resume: { type: 'string', description: 'Continue this agent session', valueHint: 'session' },
      json: { type: 'boolean', description: 'ls: print JSON' },
    },
    async run({ args }) {
      const target = args.target
      if (target === 'ls') return ls(args)
      if (target === 'kill' || target === 'resume') {
        if (!args.id) throw new InvalidInputError(`ngb session ${target} needs an argument`)
        if (target === 'kill') return kill(args, args.id)
        return interactive(resumeTarget(args, args.id))
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
  ],
)
