import type { CommandDef } from 'citty'
import { defineCommand, runCommand, showUsage } from 'citty'
import { NgbError } from '../core/errors.ts'
import { VERSION, versionLine } from '../version.ts'

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
    run: () => import('./commands/run.ts').then((m) => m.default),
    image: () => import('./commands/image.ts').then((m) => m.default),
  },
})

type AnyCommand = CommandDef<Record<string, never>>

async function resolveChain(argv: string[]): Promise<[AnyCommand, AnyCommand | undefined]> {
  let cmd = rootCommand as unknown as AnyCommand
  let parent: AnyCommand | undefined
  for (const word of argv) {
    if (word.startsWith('-')) continue
    const subs = typeof cmd.subCommands === 'function' ? await cmd.subCommands() : await cmd.subCommands
    const next = subs?.[word]
    if (!next) break
    parent = cmd
    cmd = (typeof next === 'function' ? await next() : await next) as AnyCommand
  }
  return [cmd, parent]
}

function isUsageError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code
  return typeof code === 'string' && code.startsWith('E_')
}

/** Runs the CLI; returns the exit code. Errors are one line; the stack only with --debug. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug')
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    process.stdout.write(`${versionLine()}\n`)
    return 0
  }
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    const [cmd, parent] = await resolveChain(argv)
    await showUsage(cmd, parent)
    return argv.length === 0 ? 2 : 0
  }
  try {
    await runCommand(rootCommand, { rawArgs: argv })
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (error) {
    if (isUsageError(error)) {
      process.stderr.write(`ngb: ${(error as Error).message}\nhint: run \`ngb ${argv[0] ?? ''} --help\`\n`)
      return 2
    }
    const message = error instanceof Error ? error.message : String(error)
    process.stderr.write(`ngb: ${message}\n`)
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`)
    if (error instanceof NgbError && error.code === 'config_invalid') return 2
    return 1
  }
}
