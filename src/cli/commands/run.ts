import { defineCommand } from 'citty'
import { createRunPreset, createRuntime } from '../../app.ts'
import { ConflictError, InvalidInputError } from '../../core/errors.ts'
import type { GroupsService } from '../../core/groups.ts'
import type { TurnHandle } from '../../core/runner/types.ts'
import type { Group } from '../../core/types.ts'
import { describeUsage } from '../../core/usage/sum.ts'
import type { OutputFrame } from '../../protocol/container.ts'
import { globalArgs, loadFromFlags } from '../context.ts'
import { withExamples } from '../help.ts'
import { combinePrompt, parseEnvFlags, stdinHasInput } from '../run-input.ts'
import { runOnce } from '../run-once.ts'
import { liveServer } from '../serve-file.ts'
import { serveLockHolder } from '../serve-lock.ts'

/** `30`, `250ms`, `30s`, `5m`, `1h` → milliseconds. A bare number is seconds, as for timeout(1) and docker. */
export function parseDurationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (!m)
    throw new InvalidInputError(
      `--timeout "${text}" is not a duration such as 30 (seconds), 500ms, 30s or 5m`,
      'timeout',
    )
  const n = Number(m[1])
  const unit = m[2] ?? 's'
  const ms = n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h']
  if (ms < 1) throw new InvalidInputError(`--timeout "${text}" must be at least 1 ms`, 'timeout')
  return Math.round(ms)
}

/** The group for `ngb run`: created on first use (the first group ever created is the main one). */
export function ensureGroup(groups: GroupsService, folder: string): Group {
  return groups.get(folder) ?? groups.createGroup({ folder, triggerMode: 'always' })
}

const EXIT = { ok: 0, error: 1, timeout: 124 } as const

/**
 * A running serve owns the groups' containers and IPC folders: a second container for the same group
 * would share `ipc/<folder>/input` (wiping serve's follow-ups, taking its `_close`). `ngb run` is one
 * self-contained turn with its own timeout and exit code, which serve's chat path does not offer, so
 * it refuses and names the commands that go through serve.
 */
function refuseWhileServing(dataDir: string, folder: string): void {
  const lock = serveLockHolder(dataDir)
  const served = lock ?? liveServer(dataDir)
  if (!served) return
  const port = lock?.port === undefined ? '' : `, port ${lock.port}`
  throw new ConflictError(
    `ngb serve (pid ${served.pid}${port}) is running on this data dir and owns group ${folder}'s container; use \`ngb session ${folder}\` or the dashboard, or stop serve first`,
  )
}

/** Every `--env X` / `--env=X`, in order: citty keeps only the last of a repeated string flag. */
export function envFlags(rawArgs: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i] ?? ''
    if (arg === '--') break
    if (arg.startsWith('--env=')) out.push(arg.slice('--env='.length))
    else if (arg === '--env') {
      const next = rawArgs[i + 1]
      if (next === undefined) throw new InvalidInputError('--env needs KEY=VALUE or KEY', 'env')
      out.push(next)
      i++
    }
  }
  return out
}

const command = defineCommand({
  meta: { name: 'run', description: 'Run one agent turn for a group and print the reply' },
  args: {
    ...globalArgs,
    group: { type: 'string', alias: 'g', required: true, description: 'Group folder (created if missing)' },
    prompt: { type: 'string', alias: 'p', required: true, description: 'The prompt, or - to read stdin' },
    timeout: {
      type: 'string',
      description: 'Stop the agent after this long without output (seconds, or 500ms, 30s, 5m)',
    },
    provider: { type: 'string', description: 'Agent provider for this turn: claude or mock' },
    image: { type: 'string', description: 'Agent image for this turn' },
    json: { type: 'boolean', description: 'Print every frame as a JSON line (result frames carry usage)' },
    usage: { type: 'boolean', description: 'After the answer, print tokens and cost on stderr' },
    env: {
      type: 'string',
      description: 'KEY=VALUE for the agent (repeatable); KEY alone takes the value from this environment',
    },
  },
  async run({ args, rawArgs }) {
    const provider = args.provider
    if (provider !== undefined && provider !== 'claude' && provider !== 'mock')
      throw new InvalidInputError(`--provider must be claude or mock, not "${provider}"`, 'provider')
    const timeoutMs = args.timeout ? parseDurationMs(args.timeout) : undefined
    const env = parseEnvFlags(envFlags(rawArgs), process.env)
    const piped = args.prompt === '-' || stdinHasInput() ? await Bun.stdin.text() : undefined
    const prompt = combinePrompt(args.prompt, piped)
    if (prompt.trim() === '') throw new InvalidInputError('the prompt is empty', 'prompt')

    const loaded = loadFromFlags(args)
    refuseWhileServing(loaded.config.dataDir, args.group)
    const rt = createRuntime({ loaded })
    // Values given with --env may be secrets: keep them out of the log and run files.
    for (const value of Object.values(env)) rt.masker.add(value)
    try {
      const { runner, groups } = createRunPreset(rt)
      const group = ensureGroup(groups, args.group)
      let agentReportedError = false
      const print = (frame: OutputFrame) => {
        if (frame.type === 'error') agentReportedError = true
        if (args.json) process.stdout.write(`${JSON.stringify(frame)}\n`)
        else if (frame.type === 'result') process.stdout.write(`${frame.text}\n`)
        else if (frame.type === 'error')
          process.stderr.write(`agent error (${frame.kind}): ${frame.message}\n`)
      }
      let current: TurnHandle | undefined
      const onSignal = () => void current?.kill()
      process.once('SIGINT', onSignal)
      process.once('SIGTERM', onSignal)
      const outcome = await runOnce(
        {
          runner,
          sessions: rt.repos.sessions,
          now: () => rt.clock.now(),
          onFreshStart: () =>
            process.stderr.write(
              `ngb: the stored session of ${group.folder} was rejected; starting a fresh one\n`,
            ),
        },
        {
          group,
          prompt,
          chatJid: `cli:${group.folder}`,
          trigger: 'cli',
          onFrame: print,
          timeoutMs,
          provider,
          image: args.image,
          env,
        },
        (handle) => {
          current = handle
        },
      )
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      if (outcome.status !== 'ok' && outcome.error && !args.json && !agentReportedError)
        process.stderr.write(`ngb: ${outcome.error}\n`)
      if (args.usage && outcome.usage) process.stderr.write(`usage: ${describeUsage(outcome.usage)}\n`)
      process.exitCode = EXIT[outcome.status]
    } finally {
      await rt.shutdown.run('run finished')
    }
  },
})

withExamples(command, [
  'ngb run -g main -p "Summarise my notes"',
  'git diff | ngb run -g main -p -',
  'git diff | ngb run -g main -p "Review this change"',
  'ngb run -g main -p "Open an issue" --env GITHUB_TOKEN --env REPO=acme/app',
  'ngb run -g main -p /multi 3 --provider mock --json',
])

export default command
