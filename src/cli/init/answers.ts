import * as v from 'valibot'
import { PLATFORMS, type PlatformRow } from '../../channels/platforms.ts'
import { loadConfig } from '../../config/load.ts'
import type { Config, ConfigKey } from '../../config/schema.ts'
import { MIN_PASSWORD_LENGTH } from '../../config/schema.ts'
import { SETTINGS } from '../../config/sources.ts'
import { ChannelError, InvalidInputError } from '../../core/errors.ts'
import type { Prompter } from './prompt.ts'

export type AgentKind = 'claude' | 'mock'

/** Everything `ngb init` decides, before anything is written. */
export interface InitAnswers {
  assistantName: string
  adminPassword: string
  agent: AgentKind
  /** Claude credentials (env name → value); empty for the mock agent. */
  agentSecrets: Record<string, string>
  platforms: Array<{ row: PlatformRow; values: Partial<Record<ConfigKey, string>> }>
}

export interface AnswerSources {
  env: Record<string, string | undefined>
  flags: { assistantName?: string; agent?: string; platforms: string[] }
  /** Undefined when not on a terminal: then flags and environment are the only source. */
  prompter?: Prompter
  say(line: string): void
  defaults: Config
}

const AssistantName = v.pipe(
  v.string(),
  v.regex(/^[\p{L}\p{N}_-]{1,32}$/u, 'use 1-32 letters, digits, _ or -'),
)

function checkAssistantName(name: string): string {
  const r = v.safeParse(AssistantName, name)
  if (!r.success)
    throw new InvalidInputError(`assistant name "${name}": ${r.issues[0]?.message}`, 'assistantName')
  return name
}

function checkPassword(password: string): string {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new InvalidInputError(
      `the admin password needs at least ${MIN_PASSWORD_LENGTH} characters`,
      'adminPassword',
    )
  return password
}

/** Asks until `check` accepts (on a terminal), or applies it once (flags): a bad answer is explained. */
async function ask<T>(
  src: AnswerSources,
  question: () => Promise<string>,
  check: (s: string) => T,
): Promise<T> {
  for (;;) {
    const answer = await question()
    try {
      return check(answer)
    } catch (error) {
      if (!src.prompter) throw error
      src.say((error as Error).message)
    }
  }
}

async function assistantName(src: AnswerSources): Promise<string> {
  if (src.flags.assistantName || !src.prompter)
    return checkAssistantName(src.flags.assistantName ?? src.defaults.assistantName)
  const p = src.prompter
  return ask(
    src,
    () => p.text('Assistant name (people write @name to it)', src.defaults.assistantName),
    checkAssistantName,
  )
}

async function adminPassword(src: AnswerSources): Promise<string> {
  const fromEnv = src.env.NGB_ADMIN_PASSWORD
  if (fromEnv) return checkPassword(fromEnv)
  const p = src.prompter
  if (!p)
    throw new InvalidInputError(
      'set NGB_ADMIN_PASSWORD (at least 8 characters) for a non-interactive ngb init',
      'adminPassword',
    )
  return ask(
    src,
    async () => {
      const first = await p.secret(
        `Admin password for the dashboard (at least ${MIN_PASSWORD_LENGTH} characters)`,
      )
      const again = await p.secret('Once more')
      if (first !== again) throw new InvalidInputError('the two passwords differ')
      return first
    },
    checkPassword,
  )
}

async function agentKind(src: AnswerSources): Promise<AgentKind> {
  const flag = src.flags.agent
  if (flag && flag !== 'claude' && flag !== 'mock')
    throw new InvalidInputError(`--agent must be claude or mock, got "${flag}"`, 'agent')
  if (flag) return flag as AgentKind
  if (!src.prompter) return 'claude'
  return (await src.prompter.confirm('Use Claude Code (no: the offline mock agent, for a try-out)?', true))
    ? 'claude'
    : 'mock'
}

async function agentSecrets(src: AnswerSources, agent: AgentKind): Promise<Record<string, string>> {
  if (agent === 'mock') return {}
  for (const key of ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN']) {
    const value = src.env[key]
    if (value) return { [key]: value }
  }
  if (!src.prompter)
    throw new InvalidInputError(
      'set ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN, or pass --agent mock',
      'agent',
    )
  const key = await src.prompter.secret(
    'Anthropic API key (or leave empty to paste a Claude Code OAuth token next)',
  )
  if (key) return { ANTHROPIC_API_KEY: key }
  const token = await src.prompter.secret('Claude Code OAuth token')
  if (!token) throw new InvalidInputError('the Claude agent needs an API key or an OAuth token')
  return { CLAUDE_CODE_OAUTH_TOKEN: token }
}

/** A platform's settings from the environment (or asked for), checked against the platform's API. */
async function platformValues(
  src: AnswerSources,
  row: PlatformRow,
): Promise<Partial<Record<ConfigKey, string>>> {
  for (;;) {
    const values: Partial<Record<ConfigKey, string>> = {}
    for (const key of row.configKeys) {
      const env = SETTINGS[key].env
      const fromEnv = src.env[env]
      if (fromEnv) values[key] = fromEnv
      else if (row.secretKeys.includes(key)) {
        if (!src.prompter)
          throw new InvalidInputError(`${row.label} needs ${env}: set it in the environment`, env)
        values[key] = await src.prompter.secret(`${row.label}: ${env}`)
      }
    }
    try {
      const config = loadConfig({ env: { ...src.env, ...envOf(values) } }).config
      // The same check `ngb doctor` runs: the platform's own API, with these credentials.
      const probe = row.probe ? await row.probe(config) : undefined
      if (probe && !probe.ok)
        throw new ChannelError(`${row.label}: ${probe.detail} (${probe.hint})`, { retryable: false })
      src.say(probe ? `${row.label}: ${probe.detail}` : `${row.label}: settings saved (not checked)`)
      return values
    } catch (error) {
      if (!src.prompter) throw error
      src.say(`${(error as Error).message}; try again`)
    }
  }
}

function envOf(values: Partial<Record<ConfigKey, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(values) as Array<[ConfigKey, string]>)
    out[SETTINGS[key].env] = value
  return out
}

async function platforms(src: AnswerSources): Promise<InitAnswers['platforms']> {
  const chosen: PlatformRow[] = []
  for (const name of src.flags.platforms) {
    const row = PLATFORMS.find((p) => p.name === name)
    if (!row)
      throw new InvalidInputError(
        `--platform ${name}: expected one of ${PLATFORMS.map((p) => p.name).join(', ')}`,
        'platform',
      )
    chosen.push(row)
  }
  if (src.prompter && src.flags.platforms.length === 0) {
    for (const row of PLATFORMS)
      if (await src.prompter.confirm(`Connect ${row.label}?`, false)) chosen.push(row)
  }
  const out: InitAnswers['platforms'] = []
  for (const row of chosen) out.push({ row, values: await platformValues(src, row) })
  return out
}

export async function gatherAnswers(src: AnswerSources): Promise<InitAnswers> {
  const name = await assistantName(src)
  const password = await adminPassword(src)
  const agent = await agentKind(src)
  return {
    assistantName: name,
    adminPassword: password,
    agent,
    agentSecrets: await agentSecrets(src, agent),
    platforms: await platforms(src),
  }
}

export { envOf }
