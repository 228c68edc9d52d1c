import type { CommandDef } from 'citty'
import { defineCommand, runCommand } from 'citty'
import { InvalidInputError, NgbError } from '../core/errors.ts'
import { VERSION, versionLine } from '../version.ts'
import { renderHelp, withExamples } from './help.ts'
import { useColor } from './output.ts'
import { findUnknownFlag } from './strict-flags.ts'

// Commands load lazily so `ngb --version` and `ngb config show` never pay for Elysia or the chat SDKs.
export const rootCommand = defineCommand({
  meta: {
    name: 'ngb',
    version: VERSION,
    description: 'NanoGridBot: chat platforms to Claude Code agents in Docker',
  },
  subCommands: {
    serve: () => import('./commands/serve.ts').then((m) => m.default),
    config: () => import('./commands/config.ts').then((m) => m.default),
    doctor: () => import('./commands/doctor.ts').then((m) => m.default),
    logs: () => import('./commands/logs.ts').then((m) => m.default),
    service: () => import('./commands/service.ts').then((m) => m.default),
    groups: () => import('./commands/groups.ts').then((m) => m.default),
    tasks: () => import('./commands/tasks.ts').then((m) => m.default),
    chats: () => import('./commands/chats.ts').then((m) => m.default),
    plugins: () => import('./commands/plugins.ts').then((m) => m.default),
    run: () => import('./commands/run.ts').then((m) => m.default),
    usage: () => import('./commands/usage.ts').then((m) => m.default),
    image: () => import('./commands/image.ts').then((m) => m.default),
    session: () => import('./commands/session.ts').then((m) => m.default),
    shell: () => import('./commands/shell.ts').then((m) => m.default),
    upgrade: () => import('./commands/upgrade.ts').then((m) => m.default),
    init: () => import('./commands/init.ts').then((m) => m.default),
  },
})

withExamples(rootCommand, [
  'ngb serve                                   # dashboard on http://127.0.0.1:8080',
  'ngb groups add main && ngb session main     # chat with the main agent',
  'ngb run -g main -p "What is on my list?"',
  'ngb logs -f',
])

type AnyCommand = CommandDef<Record<string, never>>

interface Chain {
  cmd: AnyCommand
  parent?: AnyCommand
  /** The command words matched, e.g. ['groups', 'add']. */
  path: string[]
}

async function resolveChain(argv: string[]): Promise<Chain> {
  const chain: Chain = { cmd: rootCommand as unknown as AnyCommand, path: [] }
  for (const word of argv) {
    if (word.startsWith('-')) continue
    const { cmd } = chain
    const subs = typeof cmd.subCommands === 'function' ? await cmd.subCommands() : await cmd.subCommands
    const next = subs?.[word]
    if (!next) break
    chain.parent = cmd
    chain.cmd = (typeof next === 'function' ? await next() : await next) as AnyCommand
    chain.path.push(word)
  }
  return chain
}

/** citty's own parse errors (E_*) and values we reject before doing anything are usage errors. */
function isUsageError(error: unknown): boolean {
  if (error instanceof NgbError) return error.code === 'invalid_input' || error.code === 'config_invalid'
  const code = (error as { code?: unknown })?.code
  return typeof code === 'string' && (code.startsWith('E_') || code === 'EARG')
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: citty colours its messages; strip them off a TTY
const ANSI = /\x1b\[[0-9;]*m/g

/** Runs the CLI; returns the exit code. Errors are one line; the stack only with --debug. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug')
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    process.stdout.write(`${versionLine()}\n`)
    return 0
  }
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    const { cmd, parent } = await resolveChain(argv)
    process.stdout.write(`${await renderHelp(cmd, parent, useColor())}\n`)
    return argv.length === 0 ? 2 : 0
  }
  try {
    const { cmd, path } = await resolveChain(argv)
    const args = typeof cmd.args === 'function' ? await cmd.args() : await cmd.args
    const unknown = findUnknownFlag(argv.slice(argv.indexOf(path.at(-1) ?? '') + 1), args ?? {})
    if (unknown) throw new InvalidInputError(`unknown option ${unknown}`)
    await runCommand(rootCommand, { rawArgs: argv })
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error)
    const message = useColor(process.stderr) ? raw : raw.replace(ANSI, '')
    process.stderr.write(`ngb: ${message}\n`)
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`)
    if (isUsageError(error)) {
      if (!(error instanceof NgbError && error.code === 'config_invalid')) {
        const { path } = await resolveChain(argv)
        process.stderr.write(`hint: run \`${['ngb', ...path].join(' ')} --help\`\n`)
      }
      return 2
    }
    return 1
  }
}
